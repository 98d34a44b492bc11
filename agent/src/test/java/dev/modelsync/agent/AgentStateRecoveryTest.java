package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's state file lost or corrupt: rebuilt from the store, nothing stored overwritten. */
@WithKafka
class AgentStateRecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentStateRecoveryTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  @Test
  @DisplayName("a corrupt state file: the agent starts, and m.onnx's next save is version 4")
  void corruptState() throws Exception {
    recover(state -> Files.writeString(state, "{\"versions\": [ {\"model\": tru"));
  }

  @Test
  @DisplayName("a deleted state file: m.onnx's next save is version 4, nothing overwritten")
  void deletedState() throws Exception {
    recover(Files::delete);
  }

  @Test
  @DisplayName(
      "a lost state file and a stored version the topic never got: announced after the restart")
  void unannouncedVersionIsPublished() throws Exception {
    String digest;
    try (TestAgent first = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = first.events()) {
      first.renameSave("lin", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      digest = ((ModelSaved) reader.await(1, WAIT).get(0)).digest();
      awaitVersions(first.store.resolve(".modelsync-agent/state.json"), 1);
    }
    Files.delete(root.resolve("store/.modelsync-agent/state.json"));
    // the same directories, a topic that never held lin/1: as if its model.saved was not acked
    try (TestAgent second = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = second.events()) {
      ModelSaved again = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals(
          List.of("lin", 1L, digest), List.of(again.model(), again.version(), again.digest()));
      reader.assertExactly(1, Duration.ofMillis(1000));
      assertEquals(digest, Digests.ofDirectory(second.store.resolve("lin/1")), "store unchanged");
    }
  }

  interface Damage {
    void apply(Path state) throws Exception;
  }

  private void recover(Damage damage) throws Exception {
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      Path file = agent.models.resolve("m.onnx");
      for (int v = 1; v <= 3; v++) {
        Files.write(file, OnnxModelWriter.affine(v));
        reader.await(v, WAIT);
      }
      Path state = agent.store.resolve(".modelsync-agent/state.json");
      awaitVersions(state, 3);
      Map<Long, String> stored = storedDigests(agent.store.resolve("m"));
      assertEquals(List.of(1L, 2L, 3L), List.copyOf(stored.keySet()));

      agent.stop();
      damage.apply(state);
      agent.start();
      // unchanged since version 3: nothing to publish
      reader.assertExactly(3, Duration.ofMillis(1500));
      Files.write(file, OnnxModelWriter.affine(4f));
      List<ModelEvent> events = reader.await(4, WAIT);
      assertEquals(
          List.of(1L, 2L, 3L, 4L), events.stream().map(ModelEvent::version).toList(), "versions");
      reader.assertExactly(4, Duration.ofMillis(500));
      Map<Long, String> after = storedDigests(agent.store.resolve("m"));
      assertEquals(4, after.size());
      after.remove(4L);
      assertEquals(stored, after, "stored versions changed");
      awaitVersions(state, 4);
    }
  }

  private static Map<Long, String> storedDigests(Path modelDir) throws Exception {
    Map<Long, String> digests = new TreeMap<>();
    try (var versions = Files.list(modelDir)) {
      for (Path v : versions.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
        digests.put(Long.parseLong(v.getFileName().toString()), Digests.ofDirectory(v));
      }
    }
    return digests;
  }

  /** Waits until the state file parses and lists {@code count} versions. */
  private static void awaitVersions(Path state, int count) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    long deadline = System.nanoTime() + WAIT.toNanos();
    int listed = -1;
    while (System.nanoTime() < deadline) {
      if (Files.exists(state)) {
        try {
          listed = mapper.readTree(state.toFile()).get("versions").size();
        } catch (Exception e) {
          listed = -1;
        }
        if (listed == count) {
          return;
        }
      }
      Thread.sleep(100);
    }
    assertTrue(listed == count, "state lists " + listed + " versions, expected " + count);
  }
}
