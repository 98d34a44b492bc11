package dev.modelsync.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  @Test
  @DisplayName("a record produced before a restart is still there after it, on the same address")
  void survivesRestart() throws Exception {
    try (var kafka = EmbeddedKafka.onFreePort().start()) {
      produce(kafka.bootstrapServers(), "smoke", "before");
      String address = kafka.bootstrapServers();
      kafka.stop();
      kafka.start();
      assertEquals(address, kafka.bootstrapServers());
      produce(kafka.bootstrapServers(), "smoke", "after");
      try (var reader = strings(kafka, "smoke")) {
        assertEquals(List.of("before", "after"), reader.await(2, Duration.ofSeconds(30)));
      }
    }
  }

  static TopicReader<String> strings(EmbeddedKafka kafka, String topic) {
    return new TopicReader<>(
        kafka.bootstrapServers(), topic, v -> new String(v, StandardCharsets.UTF_8));
  }

  static void produce(String bootstrap, String topic, String value) throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (var producer = new KafkaProducer<String, String>(config)) {
      producer.send(new ProducerRecord<>(topic, "k", value)).get();
    }
  }
}
