package dev.modelsync.agent.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable watch ({@code poll} mode): the JDK's WatchService for the models directory and every
 * directory below it, including ones created or renamed in later, on one named thread. It only
 * reports which path changed, not whether a file was moved in or closed by its writer, so saves
 * without a rename or {@code model.json} complete after the quiet period. Hidden directories are
 * not watched: a save in progress under a temporary name is seen when it is renamed into place.
 */
public final class DirectoryWatcher implements FileWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

  private final Path root;
  private final Consumer<Path> onChange;
  private final Runnable onOverflow;
  private final WatchService service;
  private final Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
  private final Thread thread;
  private final String reason;

  /**
   * Registers every directory now, so changes from this moment on are seen, and starts the thread.
   *
   * @param onChange called on the watcher thread with the absolute path that changed
   * @param onOverflow called when events were lost and a full rescan is needed
   */
  public DirectoryWatcher(Path root, Consumer<Path> onChange, Runnable onOverflow)
      throws IOException {
    this(root, onChange, onOverflow, "poll");
  }

  DirectoryWatcher(Path root, Consumer<Path> onChange, Runnable onOverflow, String reason)
      throws IOException {
    this.reason = reason;
    this.root = root;
    this.onChange = onChange;
    this.onOverflow = onOverflow;
    this.service = root.getFileSystem().newWatchService();
    registerTree(root);
    this.thread = new Thread(this::run, "modelsync-agent-watch");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public String mode() {
    return WatchMode.POLL.label();
  }

  @Override
  public String reason() {
    return reason;
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.take();
        Path dir = keys.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == OVERFLOW) {
            LOG.warn("File events overflowed under {}; rescanning", root);
            onOverflow.run();
            continue;
          }
          if (dir == null) {
            continue;
          }
          Path changed = dir.resolve((Path) event.context());
          // Report first: a directory renamed in complete needs no watch to be published.
          notify(changed);
          if (event.kind() == ENTRY_CREATE
              && Files.isDirectory(changed, LinkOption.NOFOLLOW_LINKS)
              && !Layout.isIgnoredName(changed.getFileName().toString())) {
            registerTree(changed);
            // Files created before the watch existed would otherwise go unseen until a rescan.
            notify(changed);
          }
        }
        if (!key.reset()) {
          keys.remove(key);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: the agent is stopping
    } catch (RuntimeException e) {
      LOG.error("File watcher stopped; the periodic rescan still finds saves", e);
    }
  }

  private void notify(Path changed) {
    WatchedTree.notify(onChange, changed, LOG);
  }

  private void registerTree(Path start) {
    WatchedTree.register(
        root,
        start,
        dir -> {
          keys.put(dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), dir);
          return true;
        },
        LOG);
  }

  /** Stops the thread and releases the native watches. */
  @Override
  public void close() throws IOException {
    service.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
