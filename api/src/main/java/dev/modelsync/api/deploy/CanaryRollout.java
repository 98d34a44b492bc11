package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.RolloutTap;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.api.metrics.RolloutMeters;
import dev.modelsync.api.metrics.VersionMeters.Outcome;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.RolloutMeasures;

/**
 * A canary: the candidate answers a share of the requests that name no version ({@link
 * Catalog#share}), step by step. Each step gathers both versions' error rates and latency in a
 * window of its own; at the end of its dwell the step's {@link #verdict} says whether the candidate
 * rolls back, moves on or is promoted. The step changes on the deployer's context only.
 */
final class CanaryRollout extends ActiveRollout {
  /** One step's requests on each version. */
  private record Window(Latencies candidate, Latencies baseline) {
    Window() {
      this(new Latencies(), new Latencies());
    }
  }

  /** What a step's measures say: a decision's type, step, share and reason; null to wait. */
  record Verdict(String type, int step, int share, String reason) {}

  private volatile Window window = new Window();
  private Window lastWithBaseline;
  private volatile int step = -1;
  private long enteredAt;

  /** The timer of the next look at the step (deployer's context). */
  long timer = -1;

  CanaryRollout(
      ServedVersion candidate, ServedVersion baseline, RolloutPolicy policy, ApiMetrics metrics) {
    super(candidate, baseline, policy, metrics);
  }

  /** Taps both versions. */
  void start() {
    candidate.tap(
        new RolloutTap() {
          @Override
          public void settled(Outcome outcome, long startedNanos) {
            window.candidate().record(System.nanoTime() - startedNanos, outcome == Outcome.ERROR);
          }
        });
    baseline.tap(
        new RolloutTap() {
          @Override
          public void settled(Outcome outcome, long startedNanos) {
            window.baseline().record(System.nanoTime() - startedNanos, outcome == Outcome.ERROR);
          }
        });
  }

  int step() {
    return step;
  }

  /** Moves to {@code next} (an index in the policy's steps) with a new window. */
  void enter(int next, Catalog catalog) {
    if (window.baseline().requests() > 0) {
      lastWithBaseline = window;
    }
    step = next;
    enteredAt = System.nanoTime();
    window = new Window();
    catalog.share(model(), version(), share());
  }

  @Override
  int share() {
    int s = step;
    return s < 0 ? 0 : policy.steps().get(s);
  }

  /**
   * The step's outcome: a roll back as soon as the candidate answered enough requests in it to
   * judge; a step forward or promotion once its dwell passed too; else null (wait).
   */
  Verdict verdict() {
    Window w = window;
    if (w.candidate().requests() < policy.minRequests()) {
      return null;
    }
    Latencies base = w.baseline().requests() > 0 ? w.baseline() : baselineBefore();
    double errors = w.candidate().errorRate();
    double baseErrors = base == null ? 0 : base.errorRate();
    if (errors - baseErrors > policy.maxErrorRateIncrease()) {
      return new Verdict(
          EventTypes.ROLLED_BACK,
          0,
          0,
          String.format(
              "canary error rate %.4f exceeds the served version's %.4f by more than %s at %d%%",
              errors, baseErrors, policy.maxErrorRateIncrease(), share()));
    }
    if (base != null && w.candidate().p99Ms() - base.p99Ms() > policy.maxP99IncreaseMs()) {
      return new Verdict(
          EventTypes.ROLLED_BACK,
          0,
          0,
          String.format(
              "canary p99 %.3f ms exceeds the served version's %.3f ms by more than %s ms at %d%%",
              w.candidate().p99Ms(), base.p99Ms(), policy.maxP99IncreaseMs(), share()));
    }
    if (System.nanoTime() - enteredAt < policy.dwellMs() * 1_000_000L) {
      return null;
    }
    int next = step + 1;
    if (next < policy.steps().size()) {
      return new Verdict(
          EventTypes.STEPPED,
          next,
          policy.steps().get(next),
          String.format(
              "%d requests at %d%%: error rate %.4f (served %.4f), p99 %.3f ms",
              w.candidate().requests(), share(), errors, baseErrors, w.candidate().p99Ms()));
    }
    return new Verdict(
        EventTypes.PROMOTED,
        0,
        0,
        String.format(
            "%d requests at %d%%: error rate %.4f (served %.4f), p99 %.3f ms",
            w.candidate().requests(), share(), errors, baseErrors, w.candidate().p99Ms()));
  }

  private Latencies baselineBefore() {
    return lastWithBaseline == null ? null : lastWithBaseline.baseline();
  }

  @Override
  RolloutMeasures measures() {
    Window w = window;
    Latencies base = w.baseline().requests() > 0 ? w.baseline() : baselineBefore();
    return new RolloutMeasures(
        RolloutMode.CANARY.label(),
        baseline.version(),
        share(),
        w.candidate().requests(),
        null,
        null,
        null,
        null,
        w.candidate().p99Ms(),
        w.candidate().errorRate(),
        base == null ? 0L : base.requests(),
        base == null ? null : base.errorRate(),
        base == null ? null : base.p99Ms());
  }

  @Override
  RolloutMeters.Readings readings() {
    return readingsOf(0, 0, 0, share());
  }
}
