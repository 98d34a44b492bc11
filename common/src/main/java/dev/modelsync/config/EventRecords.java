package dev.modelsync.config;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The one way the agent and the api write a model event to Kafka: keyed by its model (so a model's
 * events keep their order in one partition), the codec's CloudEvent as the value, and the Kafka
 * {@code content-type} header naming its format. Here rather than in {@code events}, which does not
 * depend on kafka-clients.
 */
public final class EventRecords {
  /** The header every event record carries; its value is {@link EventCodec#CONTENT_TYPE}. */
  public static final String CONTENT_TYPE_HEADER = "content-type";

  private EventRecords() {}

  /** {@code event} encoded by {@code codec}, as a record for {@code topic} keyed by its model. */
  public static ProducerRecord<String, byte[]> of(
      String topic, EventCodec codec, ModelEvent event) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, event.model(), codec.encode(event));
    record
        .headers()
        .add(CONTENT_TYPE_HEADER, EventCodec.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
    return record;
  }
}
