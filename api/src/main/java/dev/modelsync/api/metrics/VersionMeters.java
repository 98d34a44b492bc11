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

  /**
   * Model runs seen so far (capped) and their moving average, in ns. Written by whichever thread
   * ran the model; a lost update only delays the average by a run, so plain volatile fields do.
   */
  private volatile int runs;

  private volatile long typicalRunNanos;

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

  /**
   * A model run (one request's, or a stacked run's whole time) took {@code nanos}. Past the first
   * runs a run counts as at most {@value #MAX_STEP} times the typical one, so each run moves the
   * average up by at most 3/8: a long run is most often the thread losing the core mid-run
   * (preempted on a busy machine, a GC pause), and counting it whole sent the next few dozen
   * requests of a 3 µs model through the inference threads (two thread wake-ups each) until the
   * average came down again. A model that really got slower still passes 30x its old typical run
   * within a dozen runs.
   */
  public void ran(long nanos) {
    int n = runs;
    if (n < RUNS_BEFORE_TYPICAL) {
      runs = n + 1;
      typicalRunNanos = Math.max(typicalRunNanos, nanos); // the slowest first run, to start safe
      return;
    }
    long t = typicalRunNanos;
    long counted = Math.min(nanos, MAX_STEP * Math.max(t, 1_000));
    typicalRunNanos = t + (counted - t) / 8;
  }

  private static final long MAX_STEP = 4;

  /**
   * How long a run of this version typically takes: a moving average over the last runs (the
   * slowest of the first {@value #RUNS_BEFORE_TYPICAL} to begin with); {@code Long.MAX_VALUE} until
   * that many runs were seen.
   */
  public long typicalRunNanos() {
    return runs < RUNS_BEFORE_TYPICAL ? Long.MAX_VALUE : typicalRunNanos;
  }

  private static final int RUNS_BEFORE_TYPICAL = 16;

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
