package dev.modelsync.agent.watch;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;
import org.slf4j.Logger;

/** What both watchers do alike: watch a directory tree but its hidden parts, report changes. */
final class WatchedTree {
  /** Watches one directory. */
  interface Watch {
    /** False leaves the directory's subtree unwatched. */
    boolean add(Path dir) throws IOException;
  }

  private WatchedTree() {}

  /** Watches {@code start} and every directory below it that is not hidden or temporary. */
  static void register(Path root, Path start, Watch watch, Logger log) {
    try {
      Files.walkFileTree(
          start,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              if (!dir.equals(root) && Layout.isIgnoredName(dir.getFileName().toString())) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              return watch.add(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException | ClosedWatchServiceException e) {
      // gone again before it could be watched, or closing
    } catch (IOException e) {
      log.warn("Cannot watch {}: {}; the periodic rescan covers it", start, e.toString());
    }
  }

  /** Tells the listener; a failure there is logged and does not stop the watcher. */
  static void notify(Consumer<Path> onChange, Path changed, Logger log) {
    try {
      onChange.accept(changed);
    } catch (RuntimeException e) {
      log.error("Handling a change of {} failed", changed, e);
    }
  }
}
