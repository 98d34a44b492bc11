package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.RolloutTap;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Batching;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.api.metrics.RolloutMeters;
import dev.modelsync.events.RolloutMeasures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shadow: the baseline keeps answering every request; a copy of each runs on the candidate on the
 * {@link ShadowRunner} and the two answers are compared ({@link Divergence}). The comparison is
 * owned by the shadow thread; the request threads only offer copies.
 */
final class ShadowRollout extends ActiveRollout implements RolloutTap {
  /** Called once, on the shadow thread, when {@code promoteAfter} copies are compared. */
  interface Due {
    void due(ShadowRollout rollout);
  }

  private final ShadowRunner runner;
  private final Due due;
  private final Divergence divergence;
  private final Latencies latencies = new Latencies();
  private final AtomicLong dropped = new AtomicLong();
  private long errors;
  private boolean dueSent;
  private volatile RolloutMeasures latest;

  ShadowRollout(
      ServedVersion candidate,
      ServedVersion baseline,
      RolloutPolicy policy,
      ApiMetrics metrics,
      ShadowRunner runner,
      Due due) {
    super(candidate, baseline, policy, metrics);
    this.runner = runner;
    this.due = due;
    this.divergence = new Divergence(policy.tolerance());
    this.latest = snapshot();
  }

  void start() {
    baseline.tap(this);
  }

  @Override
  public void answered(List<Tensor> inputs, List<String> outputs, List<Tensor> answers) {
    runner.offer(this, inputs, outputs, answers);
  }

  void dropped() {
    dropped.incrementAndGet();
    meters.dropped();
  }

  /**
   * Runs copies on the candidate and compares each with its served answer, on the shadow thread.
   * Copies that can share a run (a batchable model, same input names, types and trailing
   * dimensions, same outputs asked, at most {@code maxStackBytes} of inputs) run once, stacked, and
   * the answer is split back per copy; the others, and a stack whose run fails, run one by one. The
   * measures stay per request: a stack of 8 counts 8 requests, 8 comparisons, and 8 latencies each
   * equal to the stacked run's time (what the candidate took to answer that request).
   */
  void run(List<ShadowRunner.Copy> copies, long maxStackBytes) {
    if (!candidate.tryAcquire()) {
      return; // rolled back or replaced meanwhile
    }
    try {
      LoadedModel model = candidate.loaded();
      boolean batchable = Batching.batchable(model);
      int i = 0;
      while (i < copies.size()) {
        ShadowRunner.Copy first = copies.get(i);
        int end = i + 1;
        if (batchable) {
          long bytes = inputBytes(first.inputs());
          while (end < copies.size()
              && together(first, copies.get(end))
              && (bytes += inputBytes(copies.get(end).inputs())) <= maxStackBytes) {
            end++;
          }
        }
        List<ShadowRunner.Copy> group = copies.subList(i, end);
        long begin = System.nanoTime();
        List<List<Tensor>> split = group.size() == 1 ? null : stacked(model, group);
        long took = System.nanoTime() - begin;
        for (int k = 0; k < group.size(); k++) {
          if (split == null) {
            one(model, group.get(k));
          } else {
            compared(group.get(k).answers(), split.get(k), took, false);
          }
        }
        latest = snapshot(); // once per run: the p99 sorts the latency window
        i = end;
      }
    } finally {
      candidate.release();
    }
  }

  /**
   * The candidate's answers to copies run as one stacked run, split back per copy; null when the
   * run fails or its outputs cannot be split (then each copy runs alone, its errors its own).
   */
  static List<List<Tensor>> stacked(LoadedModel model, List<ShadowRunner.Copy> group) {
    List<List<Tensor>> inputs = new ArrayList<>(group.size());
    long[] rows = new long[group.size()];
    for (int k = 0; k < group.size(); k++) {
      inputs.add(group.get(k).inputs());
      rows[k] = group.get(k).inputs().get(0).shape()[0];
    }
    try {
      return Batching.split(model.predict(Batching.stack(inputs), group.get(0).outputs()), rows);
    } catch (Exception | Error e) {
      return null;
    }
  }

  private static boolean together(ShadowRunner.Copy a, ShadowRunner.Copy b) {
    return a.outputs().equals(b.outputs()) && Batching.compatible(a.inputs(), b.inputs());
  }

  private static long inputBytes(List<Tensor> inputs) {
    long total = 0;
    for (Tensor t : inputs) {
      total += (long) t.size() * (t.type().bytes() == 0 ? 8 : t.type().bytes());
    }
    return total;
  }

  /** Runs one copy alone on the candidate and compares. */
  private void one(LoadedModel model, ShadowRunner.Copy c) {
    long begin = System.nanoTime();
    List<Tensor> got;
    boolean failed = false;
    try {
      got = model.predict(c.inputs(), c.outputs());
    } catch (Exception | Error e) {
      failed = true;
      got = List.of(); // every row of a failed answer diverges
    }
    compared(c.answers(), got, System.nanoTime() - begin, failed);
  }

  /** Records one request's comparison; {@code took}: what the candidate took to answer it. */
  private void compared(List<Tensor> answers, List<Tensor> got, long took, boolean failed) {
    if (failed) {
      errors++;
    }
    divergence.add(answers, got);
    latencies.record(took, failed);
    meters.shadowed(took, failed);
    if (!dueSent && policy.promoteAfter() > 0 && divergence.requests() >= policy.promoteAfter()) {
      dueSent = true;
      latest = snapshot();
      due.due(this);
    }
  }

  private RolloutMeasures snapshot() {
    long n = divergence.requests();
    return new RolloutMeasures(
        RolloutMode.SHADOW.label(),
        baseline.version(),
        null,
        n,
        dropped.get(),
        divergence.maxAbs(),
        divergence.meanAbs(),
        divergence.divergentShare(),
        latencies.p99Ms(),
        n == 0 ? 0.0 : (double) errors / n,
        null,
        null,
        null);
  }

  /** Whether the measures so far allow promotion: the divergent share within the policy's. */
  boolean withinThreshold(RolloutMeasures m) {
    return m.divergentShare() <= policy.maxDivergentShare();
  }

  /** Why the measures promote or roll back the candidate. */
  String reason(RolloutMeasures m) {
    return String.format(
        "%d shadowed requests: %.4f of rows beyond the tolerance (allowed %s), max abs %s, mean"
            + " abs %s",
        m.requests(), m.divergentShare(), policy.maxDivergentShare(), m.maxAbs(), m.meanAbs());
  }

  @Override
  RolloutMeasures measures() {
    RolloutMeasures m = latest;
    return new RolloutMeasures(
        m.policy(),
        m.baseline(),
        m.share(),
        m.requests(),
        dropped.get(),
        m.maxAbs(),
        m.meanAbs(),
        m.divergentShare(),
        m.candidateP99Ms(),
        m.candidateErrorRate(),
        null,
        null,
        null);
  }

  @Override
  RolloutMeters.Readings readings() {
    RolloutMeasures m = latest;
    if (m == null) {
      return readingsOf(0, 0, 0, 0);
    }
    return readingsOf(m.maxAbs(), m.meanAbs(), m.divergentShare(), 0);
  }

  @Override
  int share() {
    return 0;
  }
}
