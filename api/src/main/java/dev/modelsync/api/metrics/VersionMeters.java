package dev.modelsync.api.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Request counters ({@code modelsync_infer_requests_total{model,version,outcome}}) and latency
 * ({@code modelsync_infer_latency_seconds{model,version}}) of one model version, created once so a
 * request only increments.
 */
public final class VersionMeters {
  /** How a request ended. */
  public enum Outcome {
    SUCCESS("success"),
    CLIENT_ERROR("client_error"),
    ERROR("error");

    final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  private final Counter[] requests = new Counter[Outcome.values().length];
  private final Timer latency;
  private final InferenceStats stats = new InferenceStats();

  VersionMeters(MeterRegistry registry, String model, String version) {
    for (Outcome o : Outcome.values()) {
      requests[o.ordinal()] =
          Counter.builder("modelsync.infer.requests")
              .description("Inference requests by outcome")
              .tags("model", model, "version", version, "outcome", o.tag)
              .register(registry);
    }
    latency =
        Buckets.timer(
                "modelsync.infer.latency",
                "Inference request latency, body read to answer written",
                Buckets.INFER)
            .tags("model", model, "version", version)
            .register(registry);
  }

  public void record(Outcome outcome, long startNanos) {
    long took = System.nanoTime() - startNanos;
    requests[outcome.ordinal()].increment();
    latency.record(took, TimeUnit.NANOSECONDS);
    stats.ended(outcome == Outcome.SUCCESS, took);
  }

  /** Per-phase counts and times of this version, for the statistics endpoint. */
  public InferenceStats stats() {
    return stats;
  }

  void removeFrom(MeterRegistry registry) {
    for (Meter m : List.of(requests)) {
      registry.remove(m);
    }
    registry.remove(latency);
  }
}
