package dev.modelsync.agent.publish;

import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.ModelEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The highest version of each model the events topic names: what a rebuilt agent state must stay
 * above when the store lost versions the topic still announces. Reads the topic once, from the
 * beginning to its end at the time of the call, with no consumer group.
 */
public final class TopicVersions {
  private TopicVersions() {}

  /**
   * What the topic names: the highest version of each model (saves and deletions), and each saved
   * version as {@code model/version/digest} ({@link #key}).
   */
  public record Seen(Map<String, Long> highest, Set<String> saved) {}

  /** How {@link Seen#saved()} names a saved version. */
  public static String key(String model, long version, String digest) {
    return model + "/" + version + "/" + digest;
  }

  /**
   * @throws KafkaException or {@link org.apache.kafka.common.errors.TimeoutException} when Kafka
   *     cannot be read within {@code timeout}
   */
  public static Map<String, Long> highest(
      KafkaClientConfig kafka, String clientId, String topic, EventCodec codec, Duration timeout) {
    return read(kafka, clientId, topic, codec, timeout).highest();
  }

  /**
   * Reads the topic from its beginning to its end at the time of the call.
   *
   * @throws KafkaException or {@link org.apache.kafka.common.errors.TimeoutException} when Kafka
   *     cannot be read within {@code timeout}
   */
  public static Seen read(
      KafkaClientConfig kafka, String clientId, String topic, EventCodec codec, Duration timeout) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-recovery");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    Map<String, Long> highest = new TreeMap<>();
    Set<String> saved = new HashSet<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        return new Seen(highest, saved);
      }
      List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "reading " + topic + " took longer than " + timeout);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            ModelEvent e = codec.decode(r.value());
            // a pin (model.pinned) names a version already saved, or 0: only saves count
            if (e instanceof dev.modelsync.events.ModelSaved
                || e instanceof dev.modelsync.events.ModelDeleted) {
              highest.merge(e.model(), e.version(), Math::max);
            }
            if (e instanceof dev.modelsync.events.ModelSaved s) {
              saved.add(key(s.model(), s.version(), s.digest()));
            }
          } catch (EventDecodingException ignored) {
            // not one of ours (or not signed with our key): names no version of ours
          }
        }
      }
    }
    return new Seen(highest, saved);
  }
}
