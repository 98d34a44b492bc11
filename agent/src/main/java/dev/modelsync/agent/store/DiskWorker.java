package dev.modelsync.agent.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's work that waits on the disk: syncing snapshots, writing the state file, the store's
 * write probe. It runs on one thread of its own, so the fsyncs never delay the next save. Tasks run
 * one at a time in the order queued; so a state file queued after a version's sync lists that
 * version only once it is on disk. A state write is skipped when a newer one is queued behind it,
 * which runs later, after everything queued before it.
 *
 * <p>Each task waits {@code delay} after it was queued before it runs. A sync flushes the file
 * system's journal, and while it does, the Kafka broker's append of the very event that announces
 * the version, and the api's read of its files, wait behind it on the same disk: measured under
 * load, skipping the syncs halved the time from a save to its being served. Delayed, the sync comes
 * after the save has been served. Nothing is announced later for it: the event never waited for the
 * sync. On {@link #close()} what is queued runs at once.
 */
public final class DiskWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiskWorker.class);

  private final Path file;
  private final long delayNanos;
  private final Consumer<IOException> onError;
  private final AtomicLong newest = new AtomicLong();
  private final Object due = new Object();
  private volatile boolean closing;
  private final ExecutorService io =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "modelsync-agent-disk");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param file the state file
   * @param delay how long each task waits after it is queued ({@code MODELSYNC_SYNC_DELAY_MS})
   * @param onError told of a write that failed, on the writer's thread
   */
  public DiskWorker(Path file, Duration delay, Consumer<IOException> onError) {
    this.file = file;
    this.delayNanos = delay.toNanos();
    this.onError = onError;
  }

  /** Queues {@code state} to replace the state file; returns at once. */
  public void writeState(byte[] state) {
    long seq = newest.incrementAndGet();
    run(
        () -> {
          if (newest.get() == seq) {
            write(state);
          }
        });
  }

  /** Queues a blocking disk task (a sync, the write probe) behind those queued before. */
  public void run(Runnable task) {
    if (!io.isShutdown()) {
      long at = System.nanoTime() + delayNanos;
      io.execute(
          () -> {
            awaitDue(at);
            task.run();
          });
    }
  }

  /** Waits until {@code at}, or until {@link #close()} asks for everything at once. */
  private void awaitDue(long at) {
    synchronized (due) {
      long left;
      while (!closing && (left = at - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(due, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void write(byte[] state) {
    try {
      Ledger.write(file, state);
    } catch (IOException e) {
      onError.accept(e);
    }
  }

  /** Runs what is queued at once, without its delay, then stops the thread. */
  @Override
  public void close() {
    synchronized (due) {
      closing = true;
      due.notifyAll();
    }
    io.shutdown();
    try {
      if (!io.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("The agent state file was not written within 5 s");
        io.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
