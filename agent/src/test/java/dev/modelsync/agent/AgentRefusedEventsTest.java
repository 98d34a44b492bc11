package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka refusing an event for good (too large for the topic) holds it until Kafka takes it. */
@WithKafka
class AgentRefusedEventsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentRefusedEventsTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  private static Map<String, byte[]> version(float scale, String metadata) {
    return Map.of(
        "model.onnx",
        OnnxModelWriter.affine(scale),
        "model.json",
        ("{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\",\"metadata\":{\"notes\":\""
                + metadata
                + "\"}}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName(
      "an event over the topic's max.message.bytes is held, shown in /health and the metrics,"
          + " and delivered in order once the limit is raised, without a restart")
  void recordTooLarge() throws Exception {
    try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 200)) {
      String topic = agent.config.eventsTopic();
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, Optional.of(1), Optional.empty())
                      .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2048"))))
          .all()
          .get();
      agent.start();
      try (TopicReader<ModelEvent> reader = TestAgent.events(kafka.bootstrapServers(), topic)) {
        agent.renameSave("big", 1, version(1f, "x".repeat(4000)));
        // /health is also 503 for a moment at start ("Kafka not checked yet"): wait for the refusal
        agent.awaitBody("/health", ".*Kafka refused.*");
        HttpResponse<String> health = agent.awaitStatus("/health", 503, WAIT);
        assertEquals(503, health.statusCode(), health.body());
        assertTrue(health.body().contains("Kafka refused"), health.body());
        assertTrue(health.body().contains("model big version 1"), health.body());
        assertTrue(health.body().contains("RecordTooLargeException"), health.body());
        awaitLine(agent, "modelsync_agent_refused_models\\{instance=\"[^\"]+\"\\} 1\\.0");
        awaitLine(
            agent,
            "modelsync_agent_errors_total\\{instance=\"[^\"]+\",kind=\"refused\"\\} [1-9].*");

        // other models go on; the refused model's later events wait behind it
        agent.renameSave("small", 1, version(2f, "ok"));
        assertEquals("small", reader.await(1, WAIT).get(0).model());
        agent.renameSave("big", 2, version(3f, "ok"));
        reader.assertExactly(1, Duration.ofSeconds(2));

        admin
            .incrementalAlterConfigs(
                Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    (Collection<AlterConfigOp>)
                        List.of(
                            new AlterConfigOp(
                                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588"),
                                AlterConfigOp.OpType.SET))))
            .all()
            .get();
        List<ModelEvent> events = reader.await(3, WAIT);
        assertEquals(
            List.of("small/1", "big/1", "big/2"),
            events.stream().map(e -> ((ModelSaved) e).artifact()).toList());
        reader.assertExactly(3, Duration.ofSeconds(1));
        HttpResponse<String> up = agent.awaitStatus("/health", 200, WAIT);
        assertEquals(200, up.statusCode(), up.body());
        awaitLine(agent, "modelsync_agent_refused_models\\{instance=\"[^\"]+\"\\} 0\\.0");
      }
    }
  }

  /** Waits until a line of /metrics matches {@code regex} (the whole line). */
  private static void awaitLine(TestAgent agent, String regex) throws Exception {
    Pattern line = Pattern.compile(regex);
    long deadline = System.nanoTime() + WAIT.toNanos();
    String body = agent.get("/metrics").body();
    while (body.lines().noneMatch(l -> line.matcher(l).matches()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      body = agent.get("/metrics").body();
    }
    assertTrue(body.lines().anyMatch(l -> line.matcher(l).matches()), regex + " not in /metrics");
  }
}
