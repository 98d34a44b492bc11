package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.api.metrics.RolloutMeters;
import dev.modelsync.events.RolloutMeasures;

/**
 * One rollout under way on this replica: a candidate version held back beside the served one (its
 * baseline) while its measures are taken. Started and stopped on the deployer's context; the
 * measures are taken on request and shadow threads.
 */
abstract sealed class ActiveRollout permits ShadowRollout, CanaryRollout {
  final ServedVersion candidate;
  final ServedVersion baseline;
  final RolloutPolicy policy;
  final RolloutMeters meters;

  ActiveRollout(
      ServedVersion candidate, ServedVersion baseline, RolloutPolicy policy, ApiMetrics metrics) {
    this.candidate = candidate;
    this.baseline = baseline;
    this.policy = policy;
    this.meters =
        metrics.rollout(
            candidate.model(), candidate.version(), policy.mode().label(), this::readings);
  }

  String model() {
    return candidate.model();
  }

  long version() {
    return candidate.version();
  }

  /** What this replica has measured so far. */
  abstract RolloutMeasures measures();

  /** What the gauges show now. */
  abstract RolloutMeters.Readings readings();

  /** The candidate's share of requests in percent (0 for a shadow). */
  abstract int share();

  /** Stops watching requests and removes the meters; the catalog is left to the caller. */
  void stop() {
    baseline.tap(null);
    candidate.tap(null);
    meters.remove();
  }

  static RolloutMeters.Readings readingsOf(
      double maxAbs, double meanAbs, double divergentShare, double share) {
    return new RolloutMeters.Readings() {
      @Override
      public double maxAbs() {
        return maxAbs;
      }

      @Override
      public double meanAbs() {
        return meanAbs;
      }

      @Override
      public double divergentShare() {
        return divergentShare;
      }

      @Override
      public double share() {
        return share;
      }
    };
  }
}
