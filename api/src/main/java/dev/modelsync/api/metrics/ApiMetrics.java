package dev.modelsync.api.metrics;

import dev.modelsync.metrics.CommonMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The api's meters, scraped by Prometheus at {@code /metrics}. Every series carries the common
 * {@code instance} tag (the replica id); per-model meters of loading are created on demand (loads
 * are rare), per-version meters of requests once at load ({@link VersionMeters}).
 */
public final class ApiMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong consumerLag = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();

  /** The decisions of {@link #rolloutDecided}, counted from 0 once a model loads. */
  static final List<String> DECISIONS = List.of("promoted", "stepped", "rolled_back");

  private final Counter overloaded;
  private final CommonMeters common;
  private final Counter inline;

  /**
   * What the engines hold open natively, read at each scrape; each stays flat across swaps unless
   * closed versions leak.
   *
   * @param models models loaded by an engine and not closed yet, including retired versions still
   *     draining
   * @param ndManagers DJL NDManagers open under the engines' system managers
   * @param ortSessions ONNX Runtime sessions DJL holds open
   */
  public record OpenResources(
      Supplier<Number> models, Supplier<Number> ndManagers, Supplier<Number> ortSessions) {}

  /**
   * @param instance the replica id, the {@code instance} label of every series
   * @param versionsLoaded versions the catalog holds
   * @param open what the engines hold open natively
   */
  public ApiMetrics(String instance, Supplier<Number> versionsLoaded, OpenResources open) {
    common = CommonMeters.bindTo(registry, instance);
    // modelsync_infer_in_flight_requests
    Gauge.builder("modelsync.infer.in_flight", inFlight, AtomicInteger::get)
        .description("Inference requests being processed")
        .baseUnit("requests")
        .register(registry);
    // modelsync_infer_body_bytes: admitted request bodies held (arrived, not yet answered)
    Gauge.builder("modelsync.infer.body", bodyBytes, AtomicLong::get)
        .description("Bytes of admitted inference request bodies received and not yet answered")
        .baseUnit("bytes")
        .register(registry);
    // modelsync_versions_loaded
    Gauge.builder("modelsync.versions.loaded", versionsLoaded)
        .description("Model versions loaded")
        .register(registry);
    // modelsync_models_open
    Gauge.builder("modelsync.models.open", open.models())
        .description("Models loaded by an engine and not yet closed (native sessions)")
        .register(registry);
    // modelsync_djl_ndmanagers_open, modelsync_onnx_sessions_open
    Gauge.builder("modelsync.djl.ndmanagers.open", open.ndManagers())
        .description("DJL NDManagers open under the engines' system managers")
        .register(registry);
    Gauge.builder("modelsync.onnx.sessions.open", open.ortSessions())
        .description("ONNX Runtime sessions held open by DJL")
        .register(registry);
    // modelsync_infer_overloaded_total
    overloaded =
        Counter.builder("modelsync.infer.overloaded")
            .description("Inference requests refused with 503 because too many were in flight")
            .register(registry);
    // modelsync_infer_inline_total
    inline =
        Counter.builder("modelsync.infer.inline")
            .description(
                "Inference requests run on the event loop that read them"
                    + " (MODELSYNC_INLINE_MAX_MICROS), not on an inference thread")
            .register(registry);
    // modelsync_events_consumer_lag_records
    Gauge.builder("modelsync.events.consumer.lag", consumerLag, AtomicLong::get)
        .description("Model events on the topic not yet read: end offset - position")
        .baseUnit("records")
        .register(registry);
  }

  /** Meters of one served version, created once at load so requests only increment. */
  public VersionMeters version(String model, long version) {
    return new VersionMeters(registry, model, Long.toString(version));
  }

  /** Meters of a rollout of {@code model} to {@code candidate}, reading {@code readings}. */
  public RolloutMeters rollout(
      String model, long candidate, String policy, Supplier<RolloutMeters.Readings> readings) {
    return new RolloutMeters(registry, model, Long.toString(candidate), policy, readings);
  }

  /** Counts a rollout decision applied here ({@code promoted}, {@code stepped}, ...). */
  public void rolloutDecided(String model, String decision) {
    decisions(model, decision).increment();
  }

  private Counter decisions(String model, String decision) {
    return Counter.builder("modelsync.rollout.decisions")
        .description("Rollout decisions applied, by decision")
        .tags("model", model, "decision", decision)
        .register(registry);
  }

  public void forget(VersionMeters meters) {
    meters.removeFrom(registry);
  }

  /** modelsync_loads_total{model} and modelsync_load_time_seconds{model}: verify, load, warm up. */
  public void loaded(String model, Duration took) {
    counter("modelsync.loads", "Versions loaded", model).increment();
    failures(model); // at 0 from the first load on, so rates and alerts see the series
    for (String decision : DECISIONS) {
      decisions(model, decision); // likewise: increase() then counts the first decision too
    }
    Buckets.timer("modelsync.load.time", "Verify, load and warm up a version", Buckets.LOAD)
        .tag("model", model)
        .register(registry)
        .record(took.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** modelsync_warmup_time_seconds{model}: the warm-up request alone. */
  public void warmedUp(String model, Duration took) {
    Buckets.timer("modelsync.warmup.time", "The warm-up request of a new version", Buckets.LOAD)
        .tag("model", model)
        .register(registry)
        .record(took.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** modelsync_load_failures_total{model}. */
  public void loadFailed(String model) {
    failures(model).increment();
  }

  /** modelsync_gate_rejections_total{model}. */
  public void gateRejected(String model) {
    counter(
            "modelsync.gate.rejections",
            "Versions refused because their gate's answers differ (or they have none when required)",
            model)
        .increment();
  }

  /** modelsync_swaps_total{model}. */
  public void swapped(String model) {
    counter("modelsync.swaps", "Times the serving version of a model changed", model).increment();
  }

  /** modelsync_save_to_serve_seconds{model}: the save's time to the new version answering. */
  public void servedAfterSave(String model, Duration took) {
    Buckets.timer(
            "modelsync.save.to.serve",
            "From the save in the models directory to the new version serving",
            Buckets.LOAD)
        .tag("model", model)
        .register(registry)
        .record(Math.max(0, took.toNanos()), TimeUnit.NANOSECONDS);
  }

  /** Set by the events consumer after each poll. */
  public void consumerLag(long records) {
    consumerLag.set(records);
  }

  public void overloaded() {
    overloaded.increment();
  }

  /** A request ran on its event loop. */
  public void ranInline() {
    inline.increment();
  }

  /** Bytes of admitted request bodies held now (MODELSYNC_MAX_BUFFERED_BYTES bounds it). */
  public AtomicLong bodyBytes() {
    return bodyBytes;
  }

  public AtomicInteger inFlight() {
    return inFlight;
  }

  public String scrape() {
    return registry.scrape();
  }

  private Counter failures(String model) {
    return counter("modelsync.load.failures", "Versions that failed to load", model);
  }

  private Counter counter(String name, String description, String model) {
    return Counter.builder(name).description(description).tag("model", model).register(registry);
  }

  @Override
  public void close() {
    common.close();
    registry.close();
  }
}
