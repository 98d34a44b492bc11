package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.Topics;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WithKafka(WithKafka.Scope.CLASS)
class KafkaWarmUpTest {
  static final Map<String, Object> PRODUCER =
      Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0);

  @Test
  @DisplayName("round trips on a topic of its own, kept ten minutes; a second run reuses the topic")
  void roundTripsOnItsOwnTopic(EmbeddedKafka kafka) throws Exception {
    KafkaClientConfig config = new KafkaClientConfig(kafka.bootstrapServers(), Map.of(), 100);

    BackgroundWarmUp.Outcome first = KafkaWarmUp.run(config, PRODUCER, 100, Duration.ofSeconds(60));
    BackgroundWarmUp.Outcome second = KafkaWarmUp.run(config, PRODUCER, 50, Duration.ofSeconds(60));

    assertEquals(100, first.rounds());
    assertEquals(50, second.rounds());
    assertTrue(first.lastMedianMs() > 0, first.toString());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      TopicPartition tp = new TopicPartition(Topics.WARM_UP, 0);
      long end =
          admin
              .listOffsets(Map.of(tp, OffsetSpec.latest()))
              .partitionResult(tp)
              .get(10, TimeUnit.SECONDS)
              .offset();
      assertEquals(150, end, "one record per round trip");
      var resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.WARM_UP);
      Config topic =
          admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
      assertEquals("600000", topic.get("retention.ms").value());
      assertEquals("1048576", topic.get("segment.bytes").value());
      assertEquals(
          1,
          admin
              .describeTopics(List.of(Topics.WARM_UP))
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .get(Topics.WARM_UP)
              .partitions()
              .size());
    }
    EventCodec codec = new EventCodec(URI.create("/test"));
    try (var reader =
        new TopicReader<ModelEvent>(kafka.bootstrapServers(), Topics.WARM_UP, codec::decode)) {
      List<ModelEvent> events = reader.readToEnd(Duration.ofSeconds(10)); // each one decodes
      assertEquals(150, events.size());
      for (ModelEvent event : events) {
        assertEquals(EventTypes.SAVED + " of warmup", event.type() + " of " + event.model());
      }
      ConsumerRecord<String, byte[]> last = reader.records().get(events.size() - 1);
      assertEquals("warmup", last.key(), "keyed by its model, as the agent keys a save");
      assertEquals(
          EventCodec.CONTENT_TYPE,
          new String(
              last.headers().lastHeader(EventRecords.CONTENT_TYPE_HEADER).value(),
              StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName("the budget ends it: a million rounds asked, it stops when the time is up")
  void budgetBoundsIt(EmbeddedKafka kafka) throws Exception {
    KafkaClientConfig config = new KafkaClientConfig(kafka.bootstrapServers(), Map.of(), 1);

    BackgroundWarmUp.Outcome o =
        KafkaWarmUp.run(config, PRODUCER, 1_000_000, Duration.ofSeconds(1));

    assertTrue(o.rounds() > 0 && o.rounds() < 1_000_000, o.toString());
  }

  @Test
  @DisplayName("no broker: it gives up at the end of its budget with an error, it does not hang")
  void noBroker() {
    KafkaClientConfig config = new KafkaClientConfig("127.0.0.1:1", Map.of(), 1);

    Exception e =
        assertThrows(
            Exception.class, () -> KafkaWarmUp.run(config, PRODUCER, 10, Duration.ofSeconds(2)));

    assertTrue(
        e.toString().contains("Timeout") || e.toString().contains("timed out"), e.toString());
  }
}
