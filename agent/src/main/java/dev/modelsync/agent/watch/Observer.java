package dev.modelsync.agent.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.agent.watch.Observation.FileStat;
import dev.modelsync.agent.watch.Observation.ManifestState;
import dev.modelsync.agent.watch.Signals.Signal;
import dev.modelsync.events.Json;
import dev.modelsync.events.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads a unit's files and times from disk into an {@link Observation}; blocking. Symbolic links
 * inside a version directory are left out (and reported), never followed.
 */
public final class Observer {
  private final ObjectMapper mapper = Json.newMapper();
  private final Consumer<Path> onLink;
  private final Signals signals;

  /**
   * @param onLink told of each symbolic link found inside a version directory
   */
  public Observer(Consumer<Path> onLink) {
    this(onLink, new Signals());
  }

  /**
   * @param signals what inotify said of each path; read before and after the files
   */
  public Observer(Consumer<Path> onLink, Signals signals) {
    this.onLink = onLink;
    this.signals = signals;
  }

  /**
   * The unit as it is now; an {@link IOException} if it vanished while being read. The signal is
   * read before the files, so a write after the close or move it reports shows in the files (and
   * the copy's re-check); if it changed while the files were read, it counts as {@link
   * Signal#WRITING}: the event that changed it brings another look.
   */
  public Observation observe(SaveUnit unit) throws IOException {
    Signal before = signals.of(unit);
    Observation files = observeFiles(unit);
    Signal after = signals.of(unit);
    return new Observation(
        files.files(),
        files.manifestState(),
        files.manifest(),
        files.renamedIn(),
        before == after ? before : Signal.WRITING);
  }

  private Observation observeFiles(SaveUnit unit) throws IOException {
    Path source = unit.source();
    BasicFileAttributes attrs =
        Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    boolean renamedIn = renamedIn(source, attrs.lastModifiedTime());
    if (unit.singleFile()) {
      FileStat stat =
          new FileStat(
              source.getFileName().toString(),
              attrs.size(),
              attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS),
              false);
      return new Observation(List.of(stat), ManifestState.ABSENT, null, renamedIn);
    }
    List<FileStat> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
          onLink.accept(p);
        }
        if (!a.isRegularFile()) {
          continue;
        }
        Path rel = source.relativize(p);
        boolean partial = false;
        for (Path segment : rel) {
          partial |= Layout.isIgnoredName(segment.toString());
        }
        files.add(
            new FileStat(
                rel.toString().replace('\\', '/'),
                a.size(),
                a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                partial));
      }
    }
    files.sort(Comparator.comparing(FileStat::path));
    Path manifestFile = source.resolve(Manifest.FILE_NAME);
    Manifest manifest = null;
    ManifestState state = ManifestState.ABSENT;
    if (Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
      try (InputStream in = Files.newInputStream(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
        manifest = mapper.readValue(in, Manifest.class);
        state = manifest == null ? ManifestState.INVALID : ManifestState.VALID;
      } catch (IOException | RuntimeException e) {
        state = ManifestState.INVALID;
      }
    }
    return new Observation(files, state, manifest, renamedIn);
  }

  /**
   * A rename changes a file's ctime but not its mtime, while creating or writing one sets both:
   * ctime later than mtime means the directory or file was renamed into place after it was written.
   * False where the file system has no ctime.
   */
  static boolean renamedIn(Path path, FileTime mtime) {
    try {
      Object ctime = Files.getAttribute(path, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
      return ctime instanceof FileTime c && c.compareTo(mtime) > 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
