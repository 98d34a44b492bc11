package dev.modelsync.agent.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.agent.watch.Observation.FileStat;
import dev.modelsync.agent.watch.Observation.ManifestState;
import dev.modelsync.events.Json;
import dev.modelsync.events.Manifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads a unit's files and times from disk into an {@link Observation}; blocking. Everything is
 * read through a {@link SourceTree}, so no symbolic link is followed at any level; links inside a
 * version directory are left out (and reported).
 */
public final class Observer {
  /** A {@code model.json} larger than this is refused unread: it is metadata, not a model. */
  public static final int MAX_MANIFEST_BYTES = 1 << 20;

  private final ObjectMapper mapper = Json.newMapper();
  private final Path modelsDir;
  private final Consumer<Path> onLink;
  private final Signals signals;

  /**
   * @param modelsDir the models directory, which units are opened from
   * @param onLink told of each symbolic link found inside a version directory
   */
  public Observer(Path modelsDir, Consumer<Path> onLink) {
    this(modelsDir, onLink, new Signals());
  }

  /**
   * @param signals what inotify said of each path; read before and after the files
   */
  public Observer(Path modelsDir, Consumer<Path> onLink, Signals signals) {
    this.modelsDir = modelsDir;
    this.onLink = onLink;
    this.signals = signals;
  }

  /** Opens a unit to read its files; see {@link SourceTree}. */
  public SourceTree open(SaveUnit unit) throws IOException {
    return SourceTree.open(modelsDir, unit);
  }

  /**
   * The unit as it is now; an {@link IOException} if it vanished while being read, a {@link
   * SourceTree.LinkException} if a link took the place of its directory or file. The signal is read
   * before the files, so a write after the close or move it reports shows in the files (and the
   * copy's re-check); if it changed while the files were read, it counts as {@link
   * Signals.Signal#WRITING}: the event that changed it brings another look.
   */
  public Observation observe(SaveUnit unit) throws IOException {
    Signals.Signal before = signals.of(unit);
    Observation files = observeFiles(unit);
    Signals.Signal after = signals.of(unit);
    return new Observation(
        files.files(),
        files.manifestState(),
        files.manifest(),
        files.renamedIn(),
        files.manifestProblem(),
        before == after ? before : Signals.Signal.WRITING);
  }

  /**
   * The unit's {@link Observation#fingerprint()} as it is now, without reading {@code model.json},
   * its signal or its ctime: what the copy's re-check compares, on the save's critical path. An
   * {@link IOException} as for {@link #observe}.
   */
  public String fingerprint(SaveUnit unit) throws IOException {
    try (SourceTree tree = open(unit)) {
      if (tree.rootAttributes().isSymbolicLink()) {
        throw new SourceTree.LinkException(unit.source());
      }
      List<FileStat> files = new ArrayList<>();
      list(unit, tree, files);
      return new Observation(files, ManifestState.ABSENT, null, false).fingerprint();
    }
  }

  /** Adds the unit's files to {@code files}; returns its model.json's entry, if it has one. */
  private SourceTree.Entry list(SaveUnit unit, SourceTree tree, List<FileStat> files)
      throws IOException {
    SourceTree.Entry manifestFile = null;
    for (SourceTree.Entry e : tree.files(onLink)) {
      boolean partial = false;
      for (String segment : e.path().split("/")) {
        partial |= Layout.isIgnoredName(segment);
      }
      files.add(
          new FileStat(
              unit.singleFile() ? unit.source().getFileName().toString() : e.path(),
              e.attrs().size(),
              e.attrs().lastModifiedTime().to(TimeUnit.NANOSECONDS),
              partial));
      if (!unit.singleFile() && e.path().equals(Manifest.FILE_NAME)) {
        manifestFile = e;
      }
    }
    return manifestFile;
  }

  private Observation observeFiles(SaveUnit unit) throws IOException {
    try (SourceTree tree = open(unit)) {
      BasicFileAttributes attrs = tree.rootAttributes();
      if (attrs.isSymbolicLink()) {
        throw new SourceTree.LinkException(unit.source());
      }
      Times before = Times.of(unit.source());
      List<FileStat> files = new ArrayList<>();
      SourceTree.Entry manifestFile = list(unit, tree, files);
      boolean renamedIn = renamedIn(before, Times.of(unit.source()));
      if (manifestFile == null) {
        return new Observation(files, ManifestState.ABSENT, null, renamedIn);
      }
      Path where = unit.source().resolve(Manifest.FILE_NAME);
      long size = manifestFile.attrs().size();
      if (size > MAX_MANIFEST_BYTES) {
        return invalid(
            files, renamedIn, where + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
      }
      // one byte more than listed tells a file that grew after it was listed: not read whole
      ByteBuffer buffer = ByteBuffer.allocate((int) size + 1);
      try (SeekableByteChannel in = tree.open(manifestFile.path())) {
        while (buffer.hasRemaining() && in.read(buffer) > 0) {
          // until the buffer is full or the file ends
        }
      }
      if (buffer.position() != size) {
        return invalid(files, renamedIn, where + " changed while it was read");
      }
      try {
        Manifest manifest = mapper.readValue(buffer.array(), 0, (int) size, Manifest.class);
        return manifest == null
            ? invalid(files, renamedIn, where + " is empty")
            : new Observation(files, ManifestState.VALID, manifest, renamedIn);
      } catch (IOException | RuntimeException e) {
        return invalid(files, renamedIn, where + " does not parse");
      }
    }
  }

  private static Observation invalid(List<FileStat> files, boolean renamedIn, String problem) {
    return new Observation(files, ManifestState.INVALID, null, renamedIn, problem);
  }

  /**
   * A rename changes a file's ctime but not its mtime, while creating or writing one sets both:
   * ctime later than mtime means the directory or file was renamed into place after it was written.
   * The times are read before and after the files are listed, and must not have changed: a write
   * between two reads, or one caught half-way (the kernel sets ctime, then mtime), would otherwise
   * look like a rename of a file that is still being written. False where there is no ctime.
   */
  static boolean renamedIn(Times before, Times after) {
    return before != null && before.equals(after) && after.ctime().compareTo(after.mtime()) > 0;
  }

  /** A file's or directory's mtime and ctime, from one stat call. */
  record Times(FileTime mtime, FileTime ctime) {
    /** The times of {@code path}, not following a link; null where there is no ctime. */
    static Times of(Path path) {
      try {
        Map<String, Object> times =
            Files.readAttributes(path, "unix:lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
        return times.get("lastModifiedTime") instanceof FileTime m
                && times.get("ctime") instanceof FileTime c
            ? new Times(m, c)
            : null;
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return null;
      }
    }
  }
}
