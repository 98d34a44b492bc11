package dev.modelsync.api.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Triton's statistics of one version ({@code GET /v2/models/.../stats}): a count and summed
 * nanoseconds per phase of a request, plus inferences (rows of successful requests) and model
 * executions. LongAdders, not Micrometer meters: these are read on demand, never scraped, and every
 * request adds to several of them from many threads.
 */
public final class InferenceStats {
  /** Where time goes: the request as a whole (success or fail), then each step of it. */
  public enum Phase {
    SUCCESS,
    FAIL,
    /** From the body read to an inference thread taking the request. */
    QUEUE,
    /** Parsing the body into the model's tensors. */
    COMPUTE_INPUT,
    /** The model run (a stacked run counts its whole time for each request in it). */
    COMPUTE_INFER,
    /** Encoding the answer. */
    COMPUTE_OUTPUT
  }

  /** A count and its total time. */
  public record Duration(long count, long ns) {}

  /** The figures at one instant. */
  public record Snapshot(
      long lastInferenceMillis,
      long inferenceCount,
      long executionCount,
      Map<Phase, Duration> phases) {}

  private final LongAdder[] counts = new LongAdder[Phase.values().length];
  private final LongAdder[] nanos = new LongAdder[Phase.values().length];
  private final LongAdder inferences = new LongAdder();
  private final LongAdder executions = new LongAdder();
  private volatile long lastInferenceMillis;

  InferenceStats() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
      nanos[i] = new LongAdder();
    }
  }

  public void add(Phase phase, long ns) {
    counts[phase.ordinal()].increment();
    nanos[phase.ordinal()].add(Math.max(0, ns));
  }

  /** One model run, for one request or a stacked batch of them. */
  public void executed() {
    executions.increment();
  }

  /**
   * A request's answer is ready: {@code rows} inferences, its batch size or 1 for a model that does
   * not batch (Triton's {@code inference_count}).
   */
  public void inferred(long rows) {
    inferences.add(rows);
  }

  /** A request ended. */
  void ended(boolean success, long ns) {
    add(success ? Phase.SUCCESS : Phase.FAIL, ns);
    lastInferenceMillis = System.currentTimeMillis();
  }

  public Snapshot snapshot() {
    Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      phases.put(p, new Duration(counts[p.ordinal()].sum(), nanos[p.ordinal()].sum()));
    }
    return new Snapshot(lastInferenceMillis, inferences.sum(), executions.sum(), phases);
  }
}
