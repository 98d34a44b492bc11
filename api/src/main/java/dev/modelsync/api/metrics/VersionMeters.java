package dev.modelsync.api.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Request counters and latency of one model version, by outcome. */
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

  VersionMeters(MeterRegistry registry, String model, String version) {
    for (Outcome o : Outcome.values()) {
      requests[o.ordinal()] =
          Counter.builder("modelsync.infer.requests")
              .description("inference requests")
              .tags("model", model, "version", version, "outcome", o.tag)
              .register(registry);
    }
    latency =
        Timer.builder("modelsync.infer.latency")
            .description("inference request latency, body parsed to answer written")
            .tags("model", model, "version", version)
            .publishPercentileHistogram()
            .register(registry);
  }

  public void record(Outcome outcome, long startNanos) {
    requests[outcome.ordinal()].increment();
    latency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void removeFrom(MeterRegistry registry) {
    for (Meter m : List.of(requests)) {
      registry.remove(m);
    }
    registry.remove(latency);
  }
}
