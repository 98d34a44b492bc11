package dev.modelsync.agent.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the agent's state file and runs the store's write probe on one thread of their own, so the
 * fsyncs they cost never delay the next save. State written while a write is under way is
 * coalesced: only the newest state reaches the disk next.
 */
public final class StateWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);

  private final Path file;
  private final Consumer<IOException> onError;
  private final AtomicReference<byte[]> latest = new AtomicReference<>();
  private final ExecutorService io =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "modelsync-agent-state");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param file the state file
   * @param onError told of a write that failed, on the writer's thread
   */
  public StateWriter(Path file, Consumer<IOException> onError) {
    this.file = file;
    this.onError = onError;
  }

  /** Queues {@code state} to replace the state file; returns at once. */
  public void write(byte[] state) {
    if (latest.getAndSet(state) == null && !io.isShutdown()) {
      io.execute(this::drain);
    }
  }

  /** Runs a blocking store task (such as the write probe) on the writer's thread. */
  public void run(Runnable task) {
    if (!io.isShutdown()) {
      io.execute(task);
    }
  }

  private void drain() {
    byte[] state = latest.getAndSet(null);
    if (state == null) {
      return;
    }
    try {
      Ledger.write(file, state);
    } catch (IOException e) {
      onError.accept(e);
    }
  }

  /** Writes what is queued, then stops the thread. */
  @Override
  public void close() {
    io.shutdown();
    try {
      if (!io.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("The agent state file was not written within 5 s");
        io.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain();
  }
}
