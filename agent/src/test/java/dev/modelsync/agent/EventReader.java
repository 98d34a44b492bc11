package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning with its own group, decoding every record. */
final class EventReader implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final EventCodec codec = new EventCodec(URI.create("/test"));
  private final List<ModelEvent> events = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

  EventReader(String bootstrap, String topic) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    consumer.subscribe(List.of(topic));
  }

  /** Polls until at least {@code count} events arrived in total; fails after {@code timeout}. */
  List<ModelEvent> await(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (events.size() < count) {
      if (System.nanoTime() > deadline) {
        fail("expected " + count + " events within " + timeout + ", got " + events);
      }
      poll(Duration.ofMillis(100));
    }
    return List.copyOf(events);
  }

  /** Polls for {@code period} and asserts the total stays at {@code count}. */
  List<ModelEvent> assertExactly(int count, Duration period) {
    long deadline = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < deadline) {
      poll(Duration.ofMillis(100));
    }
    assertEquals(count, events.size(), () -> "events: " + events);
    return List.copyOf(events);
  }

  List<ConsumerRecord<String, byte[]>> records() {
    return List.copyOf(records);
  }

  private void poll(Duration d) {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(d)) {
      records.add(r);
      try {
        events.add(codec.decode(r.value()));
      } catch (Exception e) {
        fail("undecodable record " + r, e);
      }
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
