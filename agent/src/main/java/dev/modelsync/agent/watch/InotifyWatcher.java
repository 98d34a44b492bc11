package dev.modelsync.agent.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux inotify through JNA, for the models directory and every directory below it (added as they
 * are created or moved in), on one named thread. Unlike the JDK's WatchService it tells a file
 * moved into place ({@code IN_MOVED_TO}) and a writer closing a file ({@code IN_CLOSE_WRITE}) from
 * other changes; it records both in {@link Signals}, so a save completes without the quiet period.
 * Lost events ({@code IN_Q_OVERFLOW}) clear the signals and trigger a full rescan.
 */
final class InotifyWatcher implements FileWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(InotifyWatcher.class);
  private static final int MASK =
      LibC.IN_MODIFY
          | LibC.IN_ATTRIB
          | LibC.IN_CLOSE_WRITE
          | LibC.IN_MOVED_FROM
          | LibC.IN_MOVED_TO
          | LibC.IN_CREATE
          | LibC.IN_DELETE
          | LibC.IN_ONLYDIR
          | LibC.IN_DONT_FOLLOW
          | LibC.IN_EXCL_UNLINK;
  private static final int BUFFER = 64 * 1024;
  private static final int HEADER = 16;

  private final LibC libc;
  private final Path root;
  private final Consumer<Path> onChange;
  private final Runnable onOverflow;
  private final Signals signals;
  private final String reason;
  private final Charset pathCharset;
  private final int inotify;
  private final int wake;

  /** Watch descriptor to directory; touched by the constructor, then only by the thread. */
  private final Map<Integer, Path> dirs = new HashMap<>();

  private final Thread thread;
  private volatile boolean closed;
  private boolean descriptorsClosed;
  private boolean limitReported;

  InotifyWatcher(
      Path root, Consumer<Path> onChange, Runnable onOverflow, Signals signals, WatchMode requested)
      throws IOException {
    this.libc = LibC.load();
    this.root = root;
    this.onChange = onChange;
    this.onOverflow = onOverflow;
    this.signals = signals;
    this.reason = "MODELSYNC_WATCH=" + requested.label();
    String jnu = System.getProperty("sun.jnu.encoding");
    this.pathCharset =
        jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu) : StandardCharsets.UTF_8;
    this.inotify = call(() -> libc.inotify_init1(LibC.IN_NONBLOCK | LibC.IN_CLOEXEC));
    int wakeFd;
    try {
      wakeFd = call(() -> libc.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK));
    } catch (IOException e) {
      libc.close(inotify);
      throw e;
    }
    this.wake = wakeFd;
    if (watch(root) < 0) {
      closeDescriptors();
      throw new IOException("cannot watch " + root);
    }
    registerTree(root);
    this.thread = new Thread(this::run, "modelsync-agent-inotify");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public String mode() {
    return WatchMode.INOTIFY.label();
  }

  @Override
  public String reason() {
    return reason;
  }

  private void run() {
    Memory fds = new Memory(16);
    Memory buffer = new Memory(BUFFER);
    try {
      while (!closed) {
        fds.setInt(0, inotify);
        fds.setShort(4, LibC.POLLIN);
        fds.setShort(6, (short) 0);
        fds.setInt(8, wake);
        fds.setShort(12, LibC.POLLIN);
        fds.setShort(14, (short) 0);
        try {
          libc.poll(fds, new NativeLong(2), -1);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == LibC.EINTR) {
            continue;
          }
          throw e;
        }
        if (closed) {
          break;
        }
        if ((fds.getShort(6) & LibC.POLLIN) != 0) {
          readEvents(buffer);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("inotify watcher stopped; the periodic rescan still finds saves", e);
    } finally {
      closeDescriptors();
    }
  }

  private void readEvents(Memory buffer) {
    long length;
    try {
      length = libc.read(inotify, buffer, new NativeLong(BUFFER)).longValue();
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
        return;
      }
      throw e;
    }
    ByteBuffer events = buffer.getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    while (events.remaining() >= HEADER) {
      int wd = events.getInt();
      int mask = events.getInt();
      events.getInt(); // cookie: a move's halves are handled on their own
      byte[] raw = new byte[events.getInt()];
      events.get(raw);
      int end = 0;
      while (end < raw.length && raw[end] != 0) {
        end++;
      }
      handle(wd, mask, new String(raw, 0, end, pathCharset));
    }
  }

  private void handle(int wd, int mask, String name) {
    if ((mask & LibC.IN_Q_OVERFLOW) != 0) {
      LOG.warn("inotify events overflowed under {}; rescanning", root);
      signals.clear();
      registerTree(root);
      onOverflow.run();
      return;
    }
    if ((mask & LibC.IN_IGNORED) != 0) {
      dirs.remove(wd);
      return;
    }
    Path dir = dirs.get(wd);
    if (dir == null || name.isEmpty()) {
      return;
    }
    Path path = dir.resolve(name);
    boolean isDir = (mask & LibC.IN_ISDIR) != 0;
    if ((mask & (LibC.IN_DELETE | LibC.IN_MOVED_FROM)) != 0) {
      signals.forget(path);
      if (isDir) {
        unwatchTree(path);
      }
      notify(path);
    }
    if ((mask & LibC.IN_MOVED_TO) != 0) {
      signals.movedIn(path);
    }
    if ((mask & (LibC.IN_MOVED_TO | LibC.IN_CREATE)) != 0) {
      // Report first: a directory moved in complete needs no watch to be published.
      notify(path);
      if (isDir && !Layout.isIgnoredName(name)) {
        registerTree(path);
        // Files made before the watch existed would otherwise go unseen until a rescan.
        notify(path);
      }
    }
    if ((mask & LibC.IN_MODIFY) != 0 && signals.written(path)) {
      notify(path);
    }
    if ((mask & LibC.IN_ATTRIB) != 0) {
      notify(path);
    }
    if ((mask & LibC.IN_CLOSE_WRITE) != 0) {
      signals.closed(path);
      notify(path);
    }
  }

  private void notify(Path changed) {
    WatchedTree.notify(onChange, changed, LOG);
  }

  private void registerTree(Path start) {
    WatchedTree.register(root, start, dir -> watch(dir) >= 0, LOG);
  }

  /** Adds (or renews, for a directory moved within the tree) one watch; -1 if it cannot. */
  private int watch(Path dir) {
    byte[] name = dir.toString().getBytes(pathCharset);
    byte[] path = new byte[name.length + 1];
    System.arraycopy(name, 0, path, 0, name.length);
    try {
      int wd = libc.inotify_add_watch(inotify, path, MASK);
      dirs.put(wd, dir);
      return wd;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.ENOSPC && !limitReported) {
        limitReported = true;
        LOG.warn(
            "Cannot watch {}: the inotify watch limit is reached (raise"
                + " fs.inotify.max_user_watches); the periodic rescan covers what is unwatched",
            dir);
      }
      return -1;
    }
  }

  /** A directory left: its watches would report the old path, so they go. */
  private void unwatchTree(Path gone) {
    for (Iterator<Map.Entry<Integer, Path>> it = dirs.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Path> e = it.next();
      if (e.getValue().startsWith(gone)) {
        it.remove();
        try {
          libc.inotify_rm_watch(inotify, e.getKey());
        } catch (LastErrorException ignored) {
          // already gone with its directory
        }
      }
    }
  }

  /** Wakes the thread, which closes the descriptors on its way out. */
  @Override
  public void close() {
    closed = true;
    wakeUp();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Synchronized with closing: a descriptor number, once closed, may name another file. */
  private synchronized void wakeUp() {
    if (descriptorsClosed) {
      return;
    }
    Memory one = new Memory(8);
    one.setLong(0, 1);
    try {
      libc.write(wake, one, new NativeLong(8));
    } catch (LastErrorException e) {
      LOG.debug("Cannot wake the inotify thread: {}", e.toString());
    }
  }

  private synchronized void closeDescriptors() {
    if (descriptorsClosed) {
      return;
    }
    descriptorsClosed = true;
    for (int fd : new int[] {inotify, wake}) {
      try {
        libc.close(fd);
      } catch (LastErrorException e) {
        LOG.debug("Closing inotify descriptor {}: {}", fd, e.toString());
      }
    }
  }

  private interface NativeCall {
    int run() throws LastErrorException;
  }

  private static int call(NativeCall call) throws IOException {
    try {
      return call.run();
    } catch (LastErrorException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
