package dev.modelsync.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/** The agent's own meters; Prometheus names in the comments. */
final class AgentMetrics {
  private final MeterRegistry registry;

  /** modelsync_agent_saves_total: complete saves seen. */
  private final Counter saves;

  /** modelsync_agent_saves_skipped_total: saves equal to the latest version. */
  private final Counter duplicates;

  /** modelsync_agent_publish_latency_seconds: queued to acknowledged. */
  private final Timer publishLatency;

  AgentMetrics(MeterRegistry registry, Supplier<Number> pending, Supplier<Number> storeWritable) {
    this.registry = registry;
    this.saves =
        Counter.builder("modelsync.agent.saves")
            .description("Complete saves seen in the models directory")
            .register(registry);
    this.duplicates =
        Counter.builder("modelsync.agent.saves.skipped")
            .description("Saves skipped because they equal the latest published version")
            .register(registry);
    this.publishLatency =
        Timer.builder("modelsync.agent.publish.latency")
            .description("Time from queueing an event to Kafka acknowledging it")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    Gauge.builder("modelsync.agent.pending.events", () -> pending.get().doubleValue())
        .description("Events queued and not yet acknowledged by Kafka")
        .register(registry);
    // modelsync_agent_store_writable: 0 while a snapshot or the probe file cannot be written
    Gauge.builder("modelsync.agent.store.writable", () -> storeWritable.get().doubleValue())
        .description("1 when the store takes writes, 0 when it is full or not writable")
        .register(registry);
    published("saved");
    published("deleted");
    errors("publish");
  }

  void saveSeen() {
    saves.increment();
  }

  void duplicateSkipped() {
    duplicates.increment();
  }

  /** modelsync_agent_events_published_total{type}. */
  void published(String type, long latencyNanos) {
    published(type).increment();
    publishLatency.record(Duration.ofNanos(latencyNanos));
  }

  private Counter published(String type) {
    return Counter.builder("modelsync.agent.events.published")
        .description("Events acknowledged by Kafka")
        .tag("type", type)
        .register(registry);
  }

  /** modelsync_agent_errors_total{kind}. */
  void error(String kind) {
    errors(kind).increment();
  }

  private Counter errors(String kind) {
    return Counter.builder("modelsync.agent.errors")
        .description("Errors by kind: snapshot, store, state, publish, invalid")
        .tag("kind", kind)
        .register(registry);
  }
}
