package dev.modelsync.standalone.faults;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.ModelEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic from the beginning with one consumer for as long as it is open: each {@link
 * #readToEnd} continues where the last one stopped, so a test polling for an event does not open a
 * new consumer (and a new connection and metadata fetch) on every try.
 */
public final class TopicReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final EventCodec codec = new EventCodec(URI.create("/faults-test"));
  private final List<ModelEvent> events = new ArrayList<>();
  private List<TopicPartition> partitions;

  public TopicReader(String bootstrap, String topic) {
    this.topic = topic;
    consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
  }

  /** Every event on the topic from its beginning up to its end as of this call. */
  public List<ModelEvent> readToEnd() {
    if (partitions == null) {
      partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("could not read " + topic + " to its end in 20 s");
      }
      for (var record : consumer.poll(Duration.ofMillis(200))) {
        try {
          events.add(codec.decode(record.value()));
        } catch (EventDecodingException e) {
          throw new AssertionError("undecodable event on " + topic, e);
        }
      }
    }
    return List.copyOf(events);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
