package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.RolloutTap;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.api.metrics.RolloutMeters;
import dev.modelsync.events.RolloutMeasures;
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

  /** Runs one copy on the candidate and compares, on the shadow thread. */
  void run(List<Tensor> inputs, List<String> outputs, List<Tensor> answers) {
    if (!candidate.tryAcquire()) {
      return; // rolled back or replaced meanwhile
    }
    long begin = System.nanoTime();
    boolean failed = false;
    try {
      List<Tensor> got = candidate.loaded().predict(inputs, outputs);
      divergence.add(answers, got);
    } catch (Exception | Error e) {
      failed = true;
      errors++;
      divergence.add(answers, List.of()); // every row of a failed answer diverges
    } finally {
      candidate.release();
    }
    long took = System.nanoTime() - begin;
    latencies.record(took, failed);
    meters.shadowed(took, failed);
    latest = snapshot();
    if (!dueSent && policy.promoteAfter() > 0 && divergence.requests() >= policy.promoteAfter()) {
      dueSent = true;
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
