package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithKafka
class AgentHostileInputTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final EventKey KEY = EventKey.of("agent-test-key-".repeat(3));
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentHostileInputTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  @Test
  @DisplayName("with MODELSYNC_EVENT_KEY set, every event is signed: it decodes with the key only")
  void signedEvents() throws Exception {
    try (TestAgent agent =
            new TestAgent(root, kafka.bootstrapServers(), 200, Optional.of(KEY)).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("signed", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      reader.await(1, WAIT);
      AgentSavesTest.deleteTree(agent.models.resolve("signed/1"));
      reader.await(2, WAIT);
      EventCodec keyed = new EventCodec(URI.create("/test"), Optional.of(KEY));
      EventCodec otherKey =
          new EventCodec(URI.create("/test"), Optional.of(EventKey.of("x".repeat(40))));
      List<ConsumerRecord<String, byte[]>> records = reader.records();
      assertTrue(keyed.decode(records.get(0).value()) instanceof ModelSaved);
      assertTrue(keyed.decode(records.get(1).value()) instanceof ModelDeleted);
      for (ConsumerRecord<String, byte[]> r : records) {
        var e = assertThrows(EventDecodingException.class, () -> otherKey.decode(r.value()));
        assertTrue(e.getMessage().contains("bad signature"), e.getMessage());
      }
    }
  }

  @Test
  @DisplayName("links out of the models directory publish nothing and copy nothing from outside")
  void symlinksNotFollowed() throws Exception {
    Path outside = Files.createDirectories(root.resolve("outside"));
    byte[] secretModel = OnnxModelWriter.affine(9f);
    Files.write(outside.resolve("model.onnx"), secretModel);
    Files.writeString(outside.resolve("model.json"), "{\"engine\":\"OnnxRuntime\"}");
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      Path models = agent.models;
      Files.createDirectories(models.resolve("evil"));
      Files.createSymbolicLink(models.resolve("evil/1"), outside);
      Files.createSymbolicLink(models.resolve("stolen.onnx"), outside.resolve("model.onnx"));
      Files.createSymbolicLink(models.resolve("linked"), outside);
      reader.assertExactly(0, Duration.ofMillis(1500));

      Path ok = Files.createDirectories(models.resolve("ok/1"));
      Files.createSymbolicLink(ok.resolve("extra.onnx"), outside.resolve("model.onnx"));
      Files.write(ok.resolve("model.onnx"), OnnxModelWriter.affine(2f));
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals("ok", saved.model());
      assertEquals(List.of("model.onnx"), Digests.listFiles(agent.store.resolve("ok/1")));
      reader.assertExactly(1, Duration.ofMillis(800));
      assertFalse(Files.exists(agent.store.resolve("evil")));
      assertFalse(Files.exists(agent.store.resolve("stolen")));
      assertFalse(Files.exists(agent.store.resolve("linked")));
    }
  }

  @Test
  @DisplayName(
      "a model.json over 1 MiB is refused unread, naming the file; the save is not published")
  void oversizedManifest() throws Exception {
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 200).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      String huge =
          "{\"engine\":\"OnnxRuntime\",\"metadata\":{\"notes\":\""
              + "x".repeat((1 << 20) + 10)
              + "\"}}";
      agent.renameSave(
          "huge",
          1,
          Map.of("model.onnx", OnnxModelWriter.affine(2f), "model.json", huge.getBytes()));
      agent.renameSave("fine", 1, Map.of("model.onnx", OnnxModelWriter.affine(3f)));
      assertEquals("fine", reader.await(1, WAIT).get(0).model());
      reader.assertExactly(1, Duration.ofMillis(500));
      String state = agent.get("/models").body();
      assertTrue(
          state.contains(
              "invalid: "
                  + agent.models.resolve("huge/1/model.json")
                  + " is larger than 1048576 bytes"),
          state);
      assertFalse(Files.exists(agent.store.resolve("huge")));
    }
  }
}
