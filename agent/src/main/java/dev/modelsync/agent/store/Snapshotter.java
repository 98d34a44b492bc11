package dev.modelsync.agent.store;

import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies versions into the store: {@code store/<model>/<version>/} holding exactly the version's
 * files, written under a hidden temporary name, synced, digested and renamed into place, so a
 * reader sees a version completely or not at all. Blocking; run it off the event loop.
 */
public final class Snapshotter {
  private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);
  private final Path storeDir;

  public Snapshotter(Path storeDir) {
    this.storeDir = storeDir;
  }

  /**
   * A copy not yet in place.
   *
   * @param dir the temporary directory holding the copy
   * @param files each file with its size and hex SHA-256, sorted by path
   */
  public record Staged(String model, Path dir, String digest, long size, List<FileEntry> files) {}

  /** The store directory of a version. */
  public Path versionDir(String model, long version) {
    return storeDir.resolve(model).resolve(Long.toString(version));
  }

  /** Removes temporary copies a previous run left behind. */
  public void removeLeftovers() throws IOException {
    if (!Files.isDirectory(storeDir)) {
      return;
    }
    try (DirectoryStream<Path> models = Files.newDirectoryStream(storeDir, Files::isDirectory)) {
      for (Path model : models) {
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(model, ".tmp-*")) {
          for (Path tmp : tmps) {
            LOG.info("Removing unfinished snapshot {}", tmp);
            deleteTree(tmp);
          }
        }
      }
    }
  }

  /**
   * Copies the given files of {@code source} (a directory, or a single file when {@code files}
   * names just it) into a temporary directory under the model's store directory.
   */
  public Staged stage(String model, Path source, List<String> files, boolean singleFile)
      throws IOException {
    Path modelDir = Files.createDirectories(storeDir.resolve(model));
    Path tmp = Files.createDirectory(modelDir.resolve(".tmp-" + UUID.randomUUID()));
    try {
      List<FileEntry> entries = new ArrayList<>();
      long total = 0;
      for (String name : files.stream().sorted().toList()) {
        Path from = singleFile ? source : source.resolve(name);
        Path to = tmp.resolve(name);
        Files.createDirectories(to.getParent());
        FileEntry entry = copy(from, to, name);
        entries.add(entry);
        total += entry.size();
      }
      syncDirectory(tmp);
      return new Staged(model, tmp, Digests.ofDirectory(tmp), total, entries);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  private static FileEntry copy(Path from, Path to, String name) throws IOException {
    MessageDigest sha = Digests.sha256();
    long size = 0;
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS);
        FileChannel out =
            FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        size += n;
      }
      // data and size are what a reader needs; other metadata need not hit the disk first
      out.force(false);
    }
    return new FileEntry(name, size, HexFormat.of().formatHex(sha.digest()));
  }

  /** The digest of a version already in the store, if it is there. */
  public Optional<String> existingDigest(String model, long version) throws IOException {
    Path dir = versionDir(model, version);
    return Files.isDirectory(dir) ? Optional.of(Digests.ofDirectory(dir)) : Optional.empty();
  }

  /**
   * Renames a staged copy into place. If the version is already there with the same digest the copy
   * is dropped; with another digest it is replaced only when {@code mayReplace} (it was never
   * published), otherwise this fails: a published version never changes.
   */
  public Path commit(Staged staged, long version, boolean mayReplace) throws IOException {
    Path target = versionDir(staged.model(), version);
    if (Files.exists(target)) {
      String existing = Digests.ofDirectory(target);
      if (existing.equals(staged.digest())) {
        deleteTree(staged.dir());
        return target;
      }
      if (!mayReplace) {
        deleteTree(staged.dir());
        throw new StoreConflictException(
            staged.model()
                + " version "
                + version
                + " is in the store with digest "
                + existing
                + "; a published version never changes, save a new version instead");
      }
      Path old = target.resolveSibling(".tmp-old-" + UUID.randomUUID());
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(old);
    }
    Files.move(staged.dir(), target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(target.getParent());
    return target;
  }

  public void discard(Staged staged) {
    deleteTree(staged.dir());
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems cannot sync a directory; the files themselves are synced
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("Cannot remove {}: {}", dir, e.toString());
    }
  }
}
