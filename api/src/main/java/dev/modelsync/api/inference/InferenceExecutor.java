package dev.modelsync.api.inference;

import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference threads. A request costs one queue offer on the event loop and, under load, no
 * thread wake-up at all: a worker drains every queued job in one go, runs them, then hands the
 * answers back with one task per event loop; {@link Batcher} runs what was drained. ({@code
 * executeBlocking} per request paid two wake-ups and measured at a third of a bare endpoint's
 * throughput.)
 */
public final class InferenceExecutor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceExecutor.class);
  private static final int MAX_DRAIN = 64;

  private final ConcurrentLinkedQueue<InferenceJob> queue = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedDeque<Thread> idle = new ConcurrentLinkedDeque<>();
  private final Thread[] threads;
  private volatile boolean running = true;

  public InferenceExecutor(int threadCount) {
    threads = new Thread[threadCount];
    for (int i = 0; i < threadCount; i++) {
      threads[i] = new Thread(this::work, "modelsync-infer-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  void submit(InferenceJob job) {
    if (!running) {
      throw new IllegalStateException("the server is closing");
    }
    queue.offer(job);
    Thread sleeper = idle.poll();
    if (sleeper != null) {
      LockSupport.unpark(sleeper);
    }
  }

  private void work() {
    List<InferenceJob> batch = new ArrayList<>(MAX_DRAIN);
    Map<Context, List<InferenceJob>> byContext = new IdentityHashMap<>();
    Thread self = Thread.currentThread();
    while (running || !queue.isEmpty()) {
      InferenceJob job = queue.poll();
      if (job == null) {
        // No spinning: on two cores a spinning inference thread starves the event loops.
        idle.push(self);
        if (queue.isEmpty() && running) {
          LockSupport.park(this);
        }
        idle.remove(self);
        continue;
      }
      do {
        batch.add(job);
      } while (batch.size() < MAX_DRAIN && (job = queue.poll()) != null);
      try {
        Batcher.run(batch);
      } catch (RuntimeException | Error e) {
        LOG.error("Inference jobs failed unexpectedly", e);
      }
      for (InferenceJob j : batch) {
        byContext.computeIfAbsent(j.context(), c -> new ArrayList<>()).add(j);
      }
      byContext.forEach(
          (context, jobs) ->
              context.runOnContext(
                  v -> {
                    for (InferenceJob j : jobs) {
                      j.complete();
                    }
                  }));
      byContext.clear();
      batch.clear();
    }
  }

  /** Stops the threads after the jobs already queued. */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      LockSupport.unpark(t);
    }
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
