package dev.modelsync.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * What every modelsync process (agent, api) serves on {@code /metrics} besides its own meters: the
 * registry setup of {@link ProcessMetrics#configure}, then the JVM meters (class loading, memory,
 * GC, threads, CPU, uptime) and {@link ProcessMetrics}. Close it with the registry: the GC meters
 * hold a JMX listener.
 */
public final class CommonMeters implements AutoCloseable {
  /** The content type of a Prometheus text scrape, for the {@code /metrics} answer. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final JvmGcMetrics gc = new JvmGcMetrics();

  private CommonMeters() {}

  /** Sets up {@code registry} with the {@code instance} tag and binds the common meters to it. */
  public static CommonMeters bindTo(MeterRegistry registry, String instance) {
    ProcessMetrics.configure(registry, instance);
    CommonMeters meters = new CommonMeters();
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    meters.gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new ProcessMetrics().bindTo(registry);
    return meters;
  }

  @Override
  public void close() {
    gc.close();
  }
}
