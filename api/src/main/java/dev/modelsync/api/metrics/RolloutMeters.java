package dev.modelsync.api.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one rollout under way, tagged with the model and the candidate version: shadow
 * copies compared, failed and dropped, divergence from the served version, the candidate's latency
 * and its share of requests, and {@code modelsync_rollout_active{policy}} at 1 to show which
 * rollout runs. Removed when the rollout ends (no rollout, no series: Prometheus' usual absence);
 * the decisions are counted per model for good ({@link ApiMetrics#rolloutDecided}).
 */
public final class RolloutMeters {
  /** What the gauges read: the rollout's latest measures. */
  public interface Readings {
    double maxAbs();

    double meanAbs();

    double divergentShare();

    double share();
  }

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter shadowed;
  private final Counter dropped;
  private final Counter failed;
  private final Timer candidateLatency;

  RolloutMeters(
      MeterRegistry registry,
      String model,
      String version,
      String policy,
      Supplier<Readings> readings) {
    this.registry = registry;
    String[] tags = {"model", model, "version", version};
    add(
        Gauge.builder("modelsync.rollout.active", () -> 1)
            .description("1 while the candidate version's rollout runs here, by policy")
            .tags(tags)
            .tag("policy", policy)
            .register(registry));
    shadowed =
        add(
            Counter.builder("modelsync.rollout.shadow.requests")
                .description("Live requests copied to a shadow candidate and compared")
                .tags(tags)
                .register(registry));
    dropped =
        add(
            Counter.builder("modelsync.rollout.shadow.dropped")
                .description("Shadow copies dropped because the candidate was busy")
                .tags(tags)
                .register(registry));
    failed =
        add(
            Counter.builder("modelsync.rollout.shadow.errors")
                .description("Shadow copies the candidate failed to answer")
                .tags(tags)
                .register(registry));
    candidateLatency =
        add(
            Buckets.timer(
                    "modelsync.rollout.candidate.latency",
                    "Time the rollout's candidate took on a shadow copy",
                    Buckets.INFER)
                .tags(tags)
                .register(registry));
    gauge("modelsync.rollout.divergence.max", "Largest absolute difference", tags, readings, 0);
    gauge("modelsync.rollout.divergence.mean", "Mean absolute difference", tags, readings, 1);
    gauge(
        "modelsync.rollout.divergence.rows",
        "Share of rows beyond the tolerance (0..1)",
        tags,
        readings,
        2);
    gauge("modelsync.rollout.share", "Candidate's share of requests (percent)", tags, readings, 3);
  }

  private void gauge(
      String name, String description, String[] tags, Supplier<Readings> readings, int which) {
    add(
        Gauge.builder(
                name,
                readings,
                r -> {
                  Readings now = r.get();
                  return switch (which) {
                    case 0 -> now.maxAbs();
                    case 1 -> now.meanAbs();
                    case 2 -> now.divergentShare();
                    default -> now.share();
                  };
                })
            .description(description)
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  /** A shadow copy was compared; {@code failedCopy} when the candidate threw on it. */
  public void shadowed(long candidateNanos, boolean failedCopy) {
    shadowed.increment();
    if (failedCopy) {
      failed.increment();
    }
    candidateLatency.record(candidateNanos, TimeUnit.NANOSECONDS);
  }

  public void dropped() {
    dropped.increment();
  }

  /** Removes this rollout's meters (it ended). */
  public void remove() {
    meters.forEach(registry::remove);
  }
}
