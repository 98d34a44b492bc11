package dev.modelsync.api.deploy;

import dev.modelsync.api.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The thread shadow candidates run on, away from the inference threads: a request's copy is one
 * queue offer on the inference thread, and when the queue is full (the candidate is busy, or slower
 * than the served version) the copy is dropped and counted, never waited for. The thread takes what
 * is queued, up to {@code MODELSYNC_SHADOW_STACK} copies, and hands each rollout its copies in one
 * go so that it can run them stacked ({@link ShadowRollout#run(List, long)}).
 */
final class ShadowRunner implements AutoCloseable {

  /** One request's copy for a shadow candidate. */
  record Copy(
      ShadowRollout rollout, List<Tensor> inputs, List<String> outputs, List<Tensor> answers) {}

  private final BlockingQueue<Copy> queue;
  private final long maxStackBytes;
  private final int drain;
  private final Thread thread;

  /**
   * @param maxStackBytes the most input bytes one stacked run holds (MODELSYNC_MAX_TENSOR_BYTES)
   * @param queued the copies that wait for the thread at most (MODELSYNC_SHADOW_QUEUE)
   * @param drain the most copies the thread takes at once (MODELSYNC_SHADOW_STACK)
   */
  ShadowRunner(long maxStackBytes, int queued, int drain) {
    this.maxStackBytes = maxStackBytes;
    this.queue = new ArrayBlockingQueue<>(queued);
    this.drain = drain;
    this.thread = new Thread(this::loop, "modelsync-shadow");
    thread.setDaemon(true);
    thread.start();
  }

  void offer(
      ShadowRollout rollout, List<Tensor> inputs, List<String> outputs, List<Tensor> answers) {
    if (!queue.offer(new Copy(rollout, inputs, outputs, answers))) {
      rollout.dropped();
    }
  }

  private void loop() {
    List<Copy> drained = new ArrayList<>(drain);
    try {
      while (true) {
        drained.add(queue.take());
        queue.drainTo(drained, drain - 1);
        // each rollout gets its own copies, in their order
        while (!drained.isEmpty()) {
          ShadowRollout rollout = drained.get(0).rollout();
          List<Copy> mine = new ArrayList<>(drained.size());
          drained.removeIf(
              c -> {
                if (c.rollout() != rollout) {
                  return false;
                }
                mine.add(c);
                return true;
              });
          try {
            rollout.run(mine, maxStackBytes);
          } catch (RuntimeException e) {
            // a rollout's failure is its own; the thread keeps serving the others
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
