package dev.modelsync.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process meters in Prometheus' own names: {@code process_resident_memory_bytes} and {@code
 * process_virtual_memory_bytes} from {@code /proc/self/status} (Linux; elsewhere NaN), read at
 * scrape time, and {@code process_cpu_seconds_total}. The resident size includes the native memory
 * of ONNX Runtime and PyTorch, which the JVM memory meters do not see.
 */
public final class ProcessMetrics implements MeterBinder {
  private final Path status;

  public ProcessMetrics() {
    this(Path.of("/proc/self/status"));
  }

  ProcessMetrics(Path status) {
    this.status = status;
  }

  /**
   * The setup every modelsync registry gets before any meter is registered: the common {@code
   * instance} tag, and Micrometer meters that {@code promtool check metrics} rejects renamed or
   * replaced ({@code process_cpu_time_ns_total}: abbreviated unit, replaced by {@code
   * process_cpu_seconds_total}; {@code system_cpu_count}: a {@code _count} suffix outside a
   * histogram, renamed {@code system_cpu_logical}).
   */
  public static void configure(MeterRegistry registry, String instance) {
    registry
        .config()
        .commonTags("instance", instance)
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        .meterFilter(
            new MeterFilter() {
              @Override
              public io.micrometer.core.instrument.Meter.Id map(
                  io.micrometer.core.instrument.Meter.Id id) {
                return id.getName().equals("system.cpu.count")
                    ? id.withName("system.cpu.logical")
                    : id;
              }
            });
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("process.resident.memory", this, m -> m.kibibytes("VmRSS:") * 1024)
        .description("Resident set size of the process, native memory included")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("process.virtual.memory", this, m -> m.kibibytes("VmSize:") * 1024)
        .description("Virtual memory size of the process")
        .baseUnit("bytes")
        .register(registry);
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time used by the process")
          .baseUnit("seconds")
          .register(registry);
    }
  }

  /** The value of a {@code Name: 1234 kB} line, or NaN when there is none. */
  double kibibytes(String field) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return Double.parseDouble(parts[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
