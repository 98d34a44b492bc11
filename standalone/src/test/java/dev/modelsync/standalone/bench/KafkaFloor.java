package dev.modelsync.standalone.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's own share of save-to-serve, measured on the same broker in the same run: one record at a
 * time, idempotent with acks=all like the agent, a pause between records like between saves, timed
 * from send until a consumer assigned to the partition (like the api's) has it.
 */
final class KafkaFloor {
  private KafkaFloor() {}

  /** Milliseconds from send to received for {@code n} records, sorted. */
  static double[] sendToReceived(String bootstrap, int n) throws Exception {
    String topic = "bench-floor";
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                Map.of(
                    "bootstrap.servers",
                    bootstrap,
                    "acks",
                    "all",
                    "enable.idempotence",
                    true,
                    "linger.ms",
                    0,
                    "key.serializer",
                    ByteArraySerializer.class,
                    "value.serializer",
                    ByteArraySerializer.class));
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers", bootstrap,
                    "key.deserializer", ByteArrayDeserializer.class,
                    "value.deserializer", ByteArrayDeserializer.class))) {
      byte[] value = new byte[700];
      producer.send(new ProducerRecord<>(topic, value)).get();
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      int warmUp = 5;
      double[] millis = new double[n];
      for (int i = 0; i < n + warmUp; i++) {
        Thread.sleep(20);
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, value));
        while (consumer.poll(Duration.ofMillis(100)).isEmpty()) {
          // wait for it
        }
        if (i >= warmUp) {
          millis[i - warmUp] = (System.nanoTime() - sent) / 1e6;
        }
        producer.flush();
      }
      Arrays.sort(millis);
      return millis;
    }
  }
}
