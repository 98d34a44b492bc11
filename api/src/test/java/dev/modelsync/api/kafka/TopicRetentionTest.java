package dev.modelsync.api.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.Settings;
import dev.modelsync.config.TopicRetention;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.testkit.kafka.WithKafka;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 16: an events topic that could drop the latest event of a model is reported at start. */
@WithKafka
class TopicRetentionTest {
  static EmbeddedKafka kafka;
  static Admin admin;

  @BeforeAll
  static void start(EmbeddedKafka broker) {
    kafka = broker;
    admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  @AfterAll
  static void stop() {
    admin.close();
  }

  @Test
  @DisplayName("a topic created by the api keeps every event: no problem")
  void createdTopicKeepsEverything() {
    String events = "events-" + UUID.randomUUID();
    TopicSetup.ensure(kafkaConfig(), events, "status-" + UUID.randomUUID());
    assertEquals(List.of(), TopicRetention.check(admin, kafka.bootstrapServers(), events));
  }

  @Test
  @DisplayName(
      "an existing topic with the broker's 7-day retention, a size limit or compaction is reported,"
          + " each setting named")
  void droppingTopicsReported() throws Exception {
    String weekly = create(Map.of());
    List<String> problems = TopicRetention.check(admin, kafka.bootstrapServers(), weekly);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("retention.ms=604800000"), problems.toString());

    String compacted =
        create(
            Map.of("cleanup.policy", "compact", "retention.ms", "-1", "retention.bytes", "1000"));
    problems = TopicRetention.check(admin, kafka.bootstrapServers(), compacted);
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("cleanup.policy=compact"), problems.toString());
    assertTrue(problems.get(1).startsWith("retention.bytes=1000"), problems.toString());

    String fix = TopicRetention.fix(kafka.bootstrapServers(), compacted);
    assertTrue(
        fix.endsWith(
            "--entity-name "
                + compacted
                + " --add-config cleanup.policy=delete,retention.ms=-1,retention.bytes=-1"),
        fix);
  }

  private static String create(Map<String, String> config) throws Exception {
    String topic = "events-" + UUID.randomUUID();
    admin
        .createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(config)))
        .all()
        .get(30, TimeUnit.SECONDS);
    // createTopics returns before every broker's metadata has the topic's configs: wait until
    // describeConfigs shows them, or the check under test reads the broker defaults
    var resource =
        new org.apache.kafka.common.config.ConfigResource(
            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      org.apache.kafka.clients.admin.Config described;
      try {
        described =
            admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause()
            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        described = null; // the broker answering does not know the topic yet
      }
      var shown = described;
      boolean visible =
          shown != null
              && config.entrySet().stream()
                  .allMatch(
                      e ->
                          shown.get(e.getKey()) != null
                              && e.getValue().equals(shown.get(e.getKey()).value()));
      if (visible) {
        return topic;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the configs of " + topic + " never showed: " + described);
      }
      Thread.sleep(20);
    }
  }

  private static KafkaClientConfig kafkaConfig() {
    return KafkaClientConfig.from(
        Settings.parse(
            List.of(KafkaClientConfig.BOOTSTRAP),
            Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())),
        Map.of());
  }
}
