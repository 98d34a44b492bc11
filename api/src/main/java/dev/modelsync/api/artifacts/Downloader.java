package dev.modelsync.api.artifacts;

import dev.modelsync.events.ArtifactPathException;
import dev.modelsync.events.ArtifactPaths;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a version's files into a directory through the first {@link Transport} that serves it,
 * blocking. Files come in sorted order so the version digest is computed while they stream,
 * together with each file's SHA-256; a broken transfer resumes where it stopped, after a backoff,
 * up to {@link Retry#attempts()} failures in a row without progress. Every transport gets the same
 * checks: only the way to the bytes differs.
 */
final class Downloader {
  private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

  /**
   * How hard to try.
   *
   * @param attempts failures in a row (without a byte of progress) before giving up
   * @param firstBackoffMs wait after the first failure; doubles up to {@code maxBackoffMs}
   * @param connectTimeoutMs TCP connect timeout
   * @param readTimeoutMs a read stalled this long counts as a broken connection
   */
  record Retry(
      int attempts,
      long firstBackoffMs,
      long maxBackoffMs,
      int connectTimeoutMs,
      int readTimeoutMs) {
    static final Retry DEFAULT = new Retry(10, 200, 3_000, 3_000, 5_000);

    long backoff(int failures) {
      return Math.min(maxBackoffMs, firstBackoffMs << Math.min(failures - 1, 20));
    }
  }

  /** A failure that retrying cannot fix (refused token, wrong bytes). */
  static final class Permanent extends IOException {
    Permanent(String message) {
      super(message);
    }
  }

  private final List<Transport> transports;
  private final Retry retry;

  /**
   * @param transports tried in this order: the first that serves a version fetches it
   */
  Downloader(List<Transport> transports, Retry retry) {
    this.transports = List.copyOf(transports);
    this.retry = retry;
  }

  /** The transport that fetches {@code saved}. */
  Transport transportFor(ModelSaved saved) throws Permanent {
    return transports.stream()
        .filter(t -> t.serves(saved))
        .findFirst()
        .orElseThrow(
            () ->
                new Permanent(
                    "no artifact source serves "
                        + saved.model()
                        + " version "
                        + saved.version()
                        + (saved.objectLocation() == null
                            ? " (its event names no bucket location)"
                            : " (its objects are in " + saved.objectLocation() + ")")));
  }

  /**
   * Writes every file of {@code saved} under {@code dir} and checks each file's SHA-256 (when the
   * event has it) and the version digest.
   */
  void download(ModelSaved saved, Path dir) throws IOException {
    Transport transport = transportFor(saved);
    prepare(transport, saved);
    MessageDigest tree = Digests.sha256();
    List<FileEntry> files =
        saved.files().stream().sorted(Comparator.comparing(FileEntry::path)).toList();
    for (FileEntry file : files) {
      try {
        ArtifactPaths.checkRelative(file.path());
      } catch (ArtifactPathException e) {
        throw new Permanent(e.getMessage());
      }
      Path out = dir.resolve(file.path()).normalize();
      if (!out.startsWith(dir)) {
        throw new Permanent("refused file '" + file.path() + "': leaves the cache directory");
      }
      Files.createDirectories(out.getParent());
      Digests.fileHeader(tree, file.path(), file.size());
      MessageDigest sha = Digests.sha256();
      fetchFile(transport, saved, file, out, sha, tree);
      String actual = HexFormat.of().formatHex(sha.digest());
      if (file.sha256() != null && !file.sha256().isEmpty() && !file.sha256().equals(actual)) {
        throw new Permanent(
            "sha256 mismatch for "
                + file.path()
                + ": got "
                + actual
                + ", the event says "
                + file.sha256());
      }
    }
    String digest = Digests.text(tree);
    if (!digest.equals(saved.digest())) {
      throw new Permanent(
          "digest mismatch: downloaded " + digest + ", the event says " + saved.digest());
    }
  }

  private void prepare(Transport transport, ModelSaved saved) throws IOException {
    for (int failures = 1; ; failures++) {
      try {
        transport.prepare(saved);
        return;
      } catch (Permanent e) {
        throw e;
      } catch (IOException e) {
        if (failures >= retry.attempts()) {
          throw new IOException("giving up after " + failures + " failed attempts: " + e, e);
        }
        long backoff = retry.backoff(failures);
        LOG.info(
            "{} version {} not ready at {} ({}); retrying in {} ms",
            saved.model(),
            saved.version(),
            transport,
            e.toString(),
            backoff);
        sleep(backoff);
      }
    }
  }

  private void fetchFile(
      Transport transport,
      ModelSaved saved,
      FileEntry file,
      Path out,
      MessageDigest sha,
      MessageDigest tree)
      throws IOException {
    long written = 0;
    int failures = 0;
    try (FileChannel channel =
        FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        long before = written;
        try {
          written = transfer(transport, saved, file, written, channel, sha, tree);
          if (written == file.size()) {
            return;
          }
          throw new IOException("connection closed after " + written + " bytes");
        } catch (Permanent e) {
          throw e;
        } catch (IOException e) {
          if (e instanceof Progress progress) {
            written = progress.written;
          }
          failures = written > before ? 1 : failures + 1;
          String from = transport.describe(saved, file);
          if (failures >= retry.attempts()) {
            throw new IOException(
                "giving up on " + from + " after " + failures + " failed attempts: " + e, e);
          }
          long backoff = retry.backoff(failures);
          LOG.info(
              "Fetching {} broke at byte {} of {} ({}); retrying in {} ms",
              from,
              written,
              file.size(),
              (e instanceof Progress ? e.getCause() : e).toString(),
              backoff);
          sleep(backoff);
        }
      }
    }
  }

  /** One request from byte {@code from}; returns the bytes written so far, however it ended. */
  private long transfer(
      Transport transport,
      ModelSaved saved,
      FileEntry file,
      long from,
      FileChannel channel,
      MessageDigest sha,
      MessageDigest tree)
      throws IOException {
    long size = file.size();
    long written = from;
    try (InputStream in = transport.open(saved, file, from)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (written + n > size) {
          throw new Permanent(
              transport.describe(saved, file)
                  + " is longer than the "
                  + size
                  + " bytes the event says");
        }
        sha.update(buffer, 0, n);
        tree.update(buffer, 0, n);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          channel.write(chunk);
        }
        written += n;
      }
      return written;
    } catch (Permanent e) {
      throw e;
    } catch (IOException e) {
      if (written > from) {
        // progress was made: report it so the next attempt resumes from there
        throw new Progress(written, e);
      }
      throw e;
    }
  }

  /** A broken transfer that still moved bytes: the count lets the caller resume. */
  static final class Progress extends IOException {
    final long written;

    Progress(long written, IOException cause) {
      super(cause.toString(), cause);
      this.written = written;
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
