package dev.modelsync.agent.watch;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What native file events said about each path since it last changed: moved into place, closed by
 * its writer, or still open for writing. Written by the inotify thread, read by the sync thread;
 * with the poll watcher it stays empty and every unit's signal is {@link Signal#NONE}.
 */
public final class Signals {
  /** What the latest native events say about a unit. */
  public enum Signal {
    /** Nothing beyond "it changed": the poll watcher, a rescan, or events lost to an overflow. */
    NONE,
    /** Moved into place ({@code IN_MOVED_TO}) and not written since: complete now. */
    MOVED_IN,
    /** A single file its writer closed ({@code IN_CLOSE_WRITE}), not written since. */
    CLOSED,
    /** Written ({@code IN_MODIFY}) and not closed yet: a writer still has it open. */
    WRITING
  }

  private final Map<Path, Signal> paths = new ConcurrentHashMap<>();

  /** A file or directory moved in; what was known below it is stale. */
  void movedIn(Path path) {
    forget(path);
    paths.put(path, Signal.MOVED_IN);
  }

  /**
   * A file was written. A directory it is in no longer counts as moved in complete.
   *
   * @return whether this is news: the first write since the file was last closed or moved
   */
  boolean written(Path path) {
    for (Path p = path.getParent(); p != null; p = p.getParent()) {
      paths.remove(p, Signal.MOVED_IN);
    }
    return paths.put(path, Signal.WRITING) != Signal.WRITING;
  }

  void closed(Path path) {
    paths.put(path, Signal.CLOSED);
  }

  /** A path and everything below it was deleted or moved away. */
  void forget(Path path) {
    paths.keySet().removeIf(p -> p.startsWith(path));
  }

  /** Events were lost: nothing known is trusted any more. */
  void clear() {
    paths.clear();
  }

  /**
   * The signal for a unit: a single file's own; for a version directory {@link Signal#WRITING}
   * while any file inside is open for writing, else {@link Signal#MOVED_IN} if it was moved in. A
   * file closed inside a directory completes nothing: more files may follow.
   */
  public Signal of(SaveUnit unit) {
    Path source = unit.source();
    if (unit.singleFile()) {
      return paths.getOrDefault(source, Signal.NONE);
    }
    for (Map.Entry<Path, Signal> e : paths.entrySet()) {
      if (e.getValue() == Signal.WRITING && e.getKey().startsWith(source)) {
        return Signal.WRITING;
      }
    }
    return paths.get(source) == Signal.MOVED_IN ? Signal.MOVED_IN : Signal.NONE;
  }
}
