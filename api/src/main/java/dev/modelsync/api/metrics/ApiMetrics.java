package dev.modelsync.api.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The api's meters, scraped by Prometheus at {@code /metrics}. */
public final class ApiMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Timer loadTime;
  private final Counter loads;
  private final Counter loadFailures;
  private final Counter swaps;
  private final Counter overloaded;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /**
   * @param versionsLoaded versions the catalog holds
   * @param modelsOpen models loaded by an engine and not closed yet (sessions holding native
   *     memory), including retired versions still draining
   */
  public ApiMetrics(Supplier<Number> versionsLoaded, Supplier<Number> modelsOpen) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gc.bindTo(registry);
    Gauge.builder("modelsync.infer.in_flight", inFlight, AtomicInteger::get)
        .description("inference requests being processed")
        .register(registry);
    Gauge.builder("modelsync.versions.loaded", versionsLoaded)
        .description("model versions loaded")
        .register(registry);
    Gauge.builder("modelsync.models.open", modelsOpen)
        .description("models loaded by an engine and not yet closed (native sessions)")
        .register(registry);
    loadTime =
        Timer.builder("modelsync.load.time")
            .description("verify, load and warm up a version")
            .publishPercentileHistogram()
            .register(registry);
    loads = Counter.builder("modelsync.loads").description("versions loaded").register(registry);
    loadFailures =
        Counter.builder("modelsync.load.failures")
            .description("versions that failed to load")
            .register(registry);
    swaps =
        Counter.builder("modelsync.swaps")
            .description("times the serving version of a model changed")
            .register(registry);
    overloaded =
        Counter.builder("modelsync.infer.overloaded")
            .description("inference requests refused with 503 because too many were in flight")
            .register(registry);
  }

  /** Meters of one served version, created once at load so requests only increment. */
  public VersionMeters version(String model, long version) {
    return new VersionMeters(registry, model, Long.toString(version));
  }

  public void forget(VersionMeters meters) {
    meters.removeFrom(registry);
  }

  public void loaded(Duration took) {
    loads.increment();
    loadTime.record(took.toNanos(), TimeUnit.NANOSECONDS);
  }

  public void loadFailed() {
    loadFailures.increment();
  }

  public void swapped() {
    swaps.increment();
  }

  public void overloaded() {
    overloaded.increment();
  }

  public AtomicInteger inFlight() {
    return inFlight;
  }

  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
