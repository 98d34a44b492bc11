package dev.modelsync.agent.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the store takes writes: the saves whose snapshot failed for want of space or permission,
 * and a small probe file written and synced periodically, so a full or read-only store shows before
 * the next save. Written on the sync thread, read from any.
 */
public final class StoreHealth {
  /** The last outcome; {@code reason} names what failed, or says the store is writable. */
  public record Status(boolean up, String reason) {}

  private static final byte[] PROBE = new byte[512];
  private final Path probe;
  private final Map<String, String> failing = new ConcurrentHashMap<>();
  private volatile String probeFailure;

  public StoreHealth(Path storeDir) {
    this.probe = storeDir.resolve(".modelsync-agent").resolve("probe");
  }

  /** A save could not be copied into the store; it is retried. */
  public void failing(String source, String reason) {
    failing.put(source, reason);
  }

  /** A save was dealt with (stored, skipped, rejected or gone): it no longer counts. */
  public void cleared(String source) {
    failing.remove(source);
  }

  /** Writes, syncs and removes the probe file. Blocking: run it on the sync thread. */
  public void probe() {
    try {
      Files.createDirectories(probe.getParent());
      try (FileChannel out =
          FileChannel.open(
              probe,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(ByteBuffer.wrap(PROBE));
        out.force(false);
      }
      Files.deleteIfExists(probe);
      probeFailure = null;
    } catch (IOException | RuntimeException e) {
      probeFailure = "cannot write " + probe + ": " + e;
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // the store is failing already; the status says so
      }
    }
  }

  public Status status() {
    String probeNow = probeFailure;
    if (probeNow == null && failing.isEmpty()) {
      return new Status(true, "writable");
    }
    StringJoiner why = new StringJoiner("; ", "store not writable: ", "");
    if (probeNow != null) {
      why.add(probeNow);
    }
    new TreeMap<>(failing).forEach((source, reason) -> why.add(source + ": " + reason));
    return new Status(false, why.toString());
  }
}
