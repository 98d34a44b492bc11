package dev.modelsync.agent.store;

import dev.modelsync.agent.watch.SourceTree;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.files.Trees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies versions into the store: {@code store/<model>/<version>/} holding exactly the version's
 * files, written under a hidden temporary name, synced, digested and renamed into place, so a
 * reader sees a version completely or not at all. Blocking; run it off the event loop.
 */
public final class Snapshotter {
  private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);
  private static final int BUFFER = 1 << 16;
  private final Path storeDir;
  private final Consumer<Path> directorySync;

  /**
   * The models whose directory's entry in the store directory is synced, each with the directory's
   * file key (inode) then; see {@link #syncModelEntry}.
   */
  private final Map<String, Object> durableModelDirs = new ConcurrentHashMap<>();

  public Snapshotter(Path storeDir) {
    this(storeDir, Snapshotter::syncDirectory);
  }

  /** With {@code directorySync} syncing each directory: tests see which ones are synced. */
  Snapshotter(Path storeDir, Consumer<Path> directorySync) {
    this.storeDir = storeDir;
    this.directorySync = directorySync;
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
            Trees.delete(tmp);
          }
        }
      }
    }
  }

  /**
   * Copies the given files of a unit (a version directory, or a single file when {@code files}
   * names just it) into a temporary directory under the model's store directory. Every file is
   * opened through {@code source}, so no link is followed at any level below the models directory.
   *
   * <p>One pass over the source: each file's SHA-256 and the version digest are computed from the
   * bytes as they are copied. Nothing is synced here: {@link #sync} does that once the copy is in
   * place, while its event is on its way to Kafka.
   *
   * @throws SourceChangedException when a file could not be opened (it vanished, or a link took the
   *     place of it or of a directory on its way) or its length changed while it was copied
   */
  public Staged stage(String model, SourceTree source, List<String> files) throws IOException {
    Path tmp = storeDir.resolve(model).resolve(".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectory(tmp);
    } catch (NoSuchFileException e) {
      // the model's first version: only then is its directory made (and stat'ed); made now, its
      // entry in the store directory is not synced, whatever was synced before under its name
      Files.createDirectories(tmp.getParent());
      durableModelDirs.remove(model);
      Files.createDirectory(tmp);
    }
    try {
      MessageDigest tree = Digests.sha256();
      // 64 KiB: the buffer, the JDK's direct one for each read and write, and the digests' work
      // stay in the core's cache; a 1 MiB buffer makes 16x fewer reads and writes of a 40 MB file
      // but cost 2.3x the CPU (AgentSaveBench: 178 vs 78 ms of the sync thread per save)
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
      List<FileEntry> entries = new ArrayList<>();
      Set<Path> made = new HashSet<>(Set.of(tmp));
      long total = 0;
      for (String name : files.stream().sorted().toList()) {
        Path to = tmp.resolve(name);
        if (made.add(to.getParent())) {
          Files.createDirectories(to.getParent());
        }
        FileEntry entry = copy(source, to, name, tree, buffer);
        entries.add(entry);
        total += entry.size();
      }
      return new Staged(model, tmp, Digests.text(tree), total, entries);
    } catch (IOException | RuntimeException e) {
      Trees.delete(tmp);
      throw e;
    }
  }

  private static FileEntry copy(
      SourceTree source, Path to, String name, MessageDigest tree, ByteBuffer buffer)
      throws IOException {
    MessageDigest sha = Digests.sha256();
    SeekableByteChannel in;
    try {
      in = source.open(name);
    } catch (IOException e) {
      throw SourceTree.vanishedOrLinked(e)
          ? new SourceChangedException("cannot open " + name + " of the save: " + e, e)
          : e;
    }
    try (in;
        FileChannel out =
            FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long expected = in.size();
      Digests.fileHeader(tree, name, expected);
      long size = 0;
      // (PIT: "> 0" as ">= 0" is equivalent: a file read into a cleared buffer never returns 0)
      for (int n; (n = in.read(buffer.clear())) > 0; ) {
        buffer.flip();
        sha.update(buffer.duplicate());
        tree.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        size += n;
      }
      if (size != expected) {
        throw new SourceChangedException(name + " changed length while it was copied");
      }
      return new FileEntry(name, size, HexFormat.of().formatHex(sha.digest()));
    }
  }

  /**
   * Makes a committed version durable: its files' data, its directories, its entry in the model's
   * directory and, once per model directory, that directory's entry in the store. Each file is
   * opened again for its sync rather than kept open from the copy: the copy is on the save's
   * critical path and this is not, and a version of many files would hold as many descriptors until
   * the disk thread reaches it. Until this returns, a crash of the machine (not of the agent: the
   * page cache survives that) may lose the copy; the ledger records a version only after this, and
   * a version the ledger does not know is copied again on restart. (PIT: its force and directory
   * syncs survive mutation: what they add shows only after a power loss, which no test makes.)
   */
  public void sync(String model, long version, List<FileEntry> files) throws IOException {
    Path dir = versionDir(model, version);
    syncModelEntry(model, dir.getParent());
    Set<Path> dirs = new TreeSet<>(Comparator.reverseOrder());
    for (FileEntry file : files) {
      Path path = dir.resolve(file.path());
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
        // data and size are what a reader needs; other metadata need not hit the disk first
        channel.force(false);
      }
      // (PIT: negated, fewer directories are synced: equivalent like the syncs themselves)
      for (Path parent = path.getParent(); parent.startsWith(dir); parent = parent.getParent()) {
        dirs.add(parent);
      }
    }
    dirs.forEach(directorySync);
    directorySync.accept(dir.getParent());
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
        Trees.delete(staged.dir());
        return target;
      }
      if (!mayReplace) {
        Trees.delete(staged.dir());
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
      Trees.delete(old);
    }
    Files.move(staged.dir(), target, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  public void discard(Staged staged) {
    Trees.delete(staged.dir());
  }

  /**
   * Syncs the store directory once for each model directory: a model's first version adds the
   * model's entry to it, and without this a power loss could drop the model directory while the
   * state file lists its versions. A directory counts as new when {@link #stage} made it, or when
   * its inode is not the one synced under its name (made again by hand); an inode alone would not
   * do, as a directory removed and made again often gets the same one back. The model is marked
   * before the sync and unmarked after {@link #stage} makes its directory, so a directory made
   * while this runs is either covered by this sync or synced by the next. On the disk thread only.
   */
  private void syncModelEntry(String model, Path modelDir) throws IOException {
    Object key = Files.readAttributes(modelDir, BasicFileAttributes.class).fileKey();
    if (key == null || !key.equals(durableModelDirs.get(model))) {
      if (key != null) {
        durableModelDirs.put(model, key);
      }
      directorySync.accept(storeDir);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems cannot sync a directory; the files themselves are synced
    }
  }
}
