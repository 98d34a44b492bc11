package dev.modelsync.agent.watch;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reports changes under the models directory on its own thread until closed. */
public interface FileWatcher extends AutoCloseable {
  /** File systems whose changes by other hosts inotify never sees. */
  Set<String> REMOTE_FILE_SYSTEMS =
      Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs", "ceph", "glusterfs");

  /** {@code inotify} or {@code poll}. */
  String mode();

  /** Why this mode, for the start-up log: what was asked for and what was found. */
  String reason();

  @Override
  void close() throws IOException;

  /**
   * Starts the watcher {@code requested} asks for: inotify when asked or when {@link
   * WatchMode#AUTO} finds it works here, else the JDK WatchService with the quiet period.
   *
   * @param onChange called on the watcher thread with each absolute path that changed
   * @param onOverflow called when events were lost and everything must be looked at again
   * @param signals where inotify records moves, writes and closes
   * @throws IOException also when {@link WatchMode#INOTIFY} was asked for and cannot be had
   */
  static FileWatcher start(
      WatchMode requested, Path root, Consumer<Path> onChange, Runnable onOverflow, Signals signals)
      throws IOException {
    Logger log = LoggerFactory.getLogger(FileWatcher.class);
    if (requested == WatchMode.POLL) {
      return new DirectoryWatcher(root, onChange, onOverflow, "MODELSYNC_WATCH=poll");
    }
    String unusable = inotifyUnusable(root);
    if (unusable == null) {
      try {
        return new InotifyWatcher(root, onChange, onOverflow, signals, requested);
      } catch (IOException | LinkageError | RuntimeException e) {
        unusable = "inotify failed: " + e;
      }
    }
    if (requested == WatchMode.INOTIFY) {
      throw new IOException("MODELSYNC_WATCH=inotify but " + unusable);
    }
    log.warn(
        "Watching {} without inotify ({}): saves complete after the quiet period", root, unusable);
    return new DirectoryWatcher(root, onChange, onOverflow, "MODELSYNC_WATCH=auto, " + unusable);
  }

  /** Why inotify cannot watch {@code root}, or null if it can. */
  private static String inotifyUnusable(Path root) throws IOException {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      return "not Linux (" + os + ")";
    }
    FileStore store = Files.getFileStore(root);
    String type = store.type().toLowerCase(Locale.ROOT);
    if (REMOTE_FILE_SYSTEMS.contains(type)) {
      return root + " is on " + type + ", whose changes from other hosts inotify does not see";
    }
    return null;
  }
}
