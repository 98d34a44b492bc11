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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka going away and the agent restarting: nothing lost, nothing published twice. */
@WithKafka(WithKafka.Scope.CLASS)
class AgentRecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final EmbeddedKafka kafka;
  @TempDir Path root;

  AgentRecoveryTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  /** Each test takes the broker away; the next one starts with it back (a no-op if it is up). */
  @BeforeEach
  void brokerUp() {
    kafka.start();
  }

  private static Map<String, byte[]> version(float scale) {
    return Map.of(
        "model.onnx",
        OnnxModelWriter.affine(scale),
        "model.json",
        "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\"}".getBytes());
  }

  @Test
  @DisplayName("three saves while Kafka is down arrive once each, in order, when it is back")
  void brokerDownDuringSaves() throws Exception {
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("flaky", 1, version(1f));
      reader.await(1, WAIT);
      kafka.stop();
      HttpResponse<String> down = agent.awaitStatus("/health", 503, WAIT);
      assertEquals(503, down.statusCode());
      assertTrue(down.body().contains("\"status\":\"DOWN\""), down.body());
      assertTrue(down.body().contains("\"reason\""), down.body());
      for (int v = 2; v <= 4; v++) {
        agent.renameSave("flaky", v, version(v));
      }
      agent.awaitBody("/metrics", "modelsync_agent_pending_events\\{instance=\"[^\"]+\"\\} 3\\.0");
      kafka.start();
      assertEquals(200, agent.awaitStatus("/health", 200, WAIT).statusCode());
      List<ModelEvent> events = reader.await(4, WAIT);
      assertEquals(List.of(1L, 2L, 3L, 4L), events.stream().map(ModelEvent::version).toList());
      reader.assertExactly(4, Duration.ofSeconds(2));
    }
  }

  @Test
  @DisplayName("a restarted agent publishes what was pending and nothing it published before")
  void agentRestart() throws Exception {
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("kept", 1, version(1f));
      Files.write(agent.models.resolve("single.onnx"), OnnxModelWriter.affine(9f));
      reader.await(2, WAIT);
      // Kafka away: version 2 is seen and queued but never acknowledged before the agent stops.
      kafka.stop();
      agent.renameSave("kept", 2, version(2f));
      agent.awaitBody("/metrics", "modelsync_agent_pending_events\\{instance=\"[^\"]+\"\\} 1\\.0");
      agent.stop();
      // Saved while no agent runs.
      agent.renameSave("kept", 3, version(3f));
      kafka.start();
      agent.start();
      List<ModelEvent> events = reader.await(4, WAIT);
      reader.assertExactly(4, Duration.ofSeconds(2));
      assertEquals(
          List.of("kept/1", "single/1", "kept/2", "kept/3"),
          events.stream().map(e -> ((ModelSaved) e).artifact()).toList());
    }
  }
}
