package dev.modelsync.agent;

import dev.modelsync.agent.sync.SyncMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The agent's own meters; Prometheus names in the comments. Every series also carries the
 * registry's common {@code instance} tag.
 */
final class AgentMetrics implements SyncMetrics {
  /** Buckets from a local broker's sub-millisecond acknowledgement to a stalled one's seconds. */
  static final Duration[] PUBLISH_BUCKETS = {
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(30)
  };

  private final MeterRegistry registry;

  /** modelsync_agent_saves_skipped_total: saves equal to the latest version. */
  private final Counter duplicates;

  /** modelsync_agent_publish_latency_seconds: queued to acknowledged (a histogram). */
  private final Timer publishLatency;

  AgentMetrics(
      MeterRegistry registry,
      Supplier<Number> pending,
      Supplier<Number> refused,
      Supplier<Number> storeWritable) {
    this.registry = registry;
    this.duplicates =
        Counter.builder("modelsync.agent.saves.skipped")
            .description("Saves skipped because they equal the latest published version")
            .register(registry);
    this.publishLatency =
        Timer.builder("modelsync.agent.publish.latency")
            .description("Time from queueing an event to Kafka acknowledging it")
            .serviceLevelObjectives(PUBLISH_BUCKETS)
            .minimumExpectedValue(PUBLISH_BUCKETS[0])
            .maximumExpectedValue(PUBLISH_BUCKETS[PUBLISH_BUCKETS.length - 1])
            .register(registry);
    // modelsync_agent_pending_events
    Gauge.builder("modelsync.agent.pending", () -> pending.get().doubleValue())
        .description("Events queued and not yet acknowledged by Kafka")
        .baseUnit("events")
        .register(registry);
    // modelsync_agent_refused_models: models whose events wait behind one Kafka refused
    Gauge.builder("modelsync.agent.refused", () -> refused.get().doubleValue())
        .description(
            "Models whose events wait because Kafka refused one (too large, not authorized);"
                + " retried with backoff")
        .baseUnit("models")
        .register(registry);
    // modelsync_agent_store_writable: 0 while a snapshot or the probe file cannot be written
    Gauge.builder("modelsync.agent.store.writable", () -> storeWritable.get().doubleValue())
        .description("1 when the store takes writes, 0 when it is full or not writable")
        .register(registry);
    published("saved");
    published("deleted");
    errors("publish");
    errors("refused");
  }

  /** modelsync_agent_saves_total{model}: complete saves seen. */
  @Override
  public void saveSeen(String model) {
    Counter.builder("modelsync.agent.saves")
        .description("Complete saves seen in the models directory")
        .tag("model", model)
        .register(registry)
        .increment();
  }

  /** modelsync_agent_saves_complete_total{rule}: saves found complete, by the rule that did. */
  @Override
  public void completed(String rule) {
    Counter.builder("modelsync.agent.saves.complete")
        .description(
            "Saves found complete, by rule: manifest, moved_in, closed (inotify), renamed, quiet")
        .tag("rule", rule)
        .register(registry)
        .increment();
  }

  @Override
  public void duplicateSkipped() {
    duplicates.increment();
  }

  /** modelsync_agent_events_published_total{type}. */
  @Override
  public void published(String type, long latencyNanos) {
    published(type).increment();
    publishLatency.record(Duration.ofNanos(latencyNanos));
  }

  private Counter published(String type) {
    return Counter.builder("modelsync.agent.events.published")
        .description("Events acknowledged by Kafka")
        .tag("type", type)
        .register(registry);
  }

  /** modelsync_agent_uploaded_bytes_total: version bytes uploaded to the bucket. */
  void uploaded(long bytes) {
    Counter.builder("modelsync.agent.uploaded")
        .description("Bytes of versions uploaded to the bucket")
        .baseUnit("bytes")
        .register(registry)
        .increment(bytes);
  }

  /** modelsync_agent_errors_total{kind}. */
  @Override
  public void error(String kind) {
    errors(kind).increment();
  }

  private Counter errors(String kind) {
    return Counter.builder("modelsync.agent.errors")
        .description(
            "Errors by kind: snapshot, store, state, publish, refused, invalid, sync, upload")
        .tag("kind", kind)
        .register(registry);
  }
}
