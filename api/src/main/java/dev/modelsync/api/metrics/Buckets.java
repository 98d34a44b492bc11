package dev.modelsync.api.metrics;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Explicit histogram buckets: Micrometer's default percentile histogram starts at 1 ms, too coarse
 * for a small model answering in a tenth of that.
 */
final class Buckets {
  /** Inference: 0.1 ms to 10 s. */
  static final Duration[] INFER = {
    micros(100),
    micros(250),
    micros(500),
    millis(1),
    millis(2),
    millis(5),
    millis(10),
    millis(25),
    millis(50),
    millis(100),
    millis(250),
    millis(500),
    millis(1_000),
    millis(2_500),
    millis(5_000),
    millis(10_000)
  };

  /** Loading, warm-up and save-to-serve: 1 ms to 2 min. */
  static final Duration[] LOAD = {
    millis(1),
    millis(2),
    millis(5),
    millis(10),
    millis(25),
    millis(50),
    millis(100),
    millis(250),
    millis(500),
    millis(1_000),
    millis(2_500),
    millis(5_000),
    millis(10_000),
    millis(30_000),
    millis(120_000)
  };

  private Buckets() {}

  static Timer.Builder timer(String name, String description, Duration[] buckets) {
    return Timer.builder(name)
        .description(description)
        .serviceLevelObjectives(buckets)
        .minimumExpectedValue(buckets[0])
        .maximumExpectedValue(buckets[buckets.length - 1]);
  }

  private static Duration micros(long n) {
    return Duration.ofNanos(n * 1_000);
  }

  private static Duration millis(long n) {
    return Duration.ofMillis(n);
  }
}
