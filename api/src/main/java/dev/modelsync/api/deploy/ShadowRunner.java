package dev.modelsync.api.deploy;

import dev.modelsync.api.engine.Tensor;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The thread shadow candidates run on, away from the inference threads: a request's copy is one
 * queue offer on the inference thread, and when the queue is full (the candidate is busy, or slower
 * than the served version) the copy is dropped and counted, never waited for.
 */
final class ShadowRunner implements AutoCloseable {
  static final int QUEUE = 64;

  /** One request's copy for a shadow candidate. */
  private record Copy(
      ShadowRollout rollout, List<Tensor> inputs, List<String> outputs, List<Tensor> answers)
      implements Runnable {
    @Override
    public void run() {
      rollout.run(inputs, outputs, answers);
    }
  }

  private final ThreadPoolExecutor pool =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(QUEUE),
          r -> {
            Thread t = new Thread(r, "modelsync-shadow");
            t.setDaemon(true);
            return t;
          },
          (r, executor) -> ((Copy) r).rollout().dropped());

  void offer(
      ShadowRollout rollout, List<Tensor> inputs, List<String> outputs, List<Tensor> answers) {
    pool.execute(new Copy(rollout, inputs, outputs, answers));
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
