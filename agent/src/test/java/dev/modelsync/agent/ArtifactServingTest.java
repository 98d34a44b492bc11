package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /artifacts/...}: what api replicas on other hosts fetch versions with. */
@WithKafka
class ArtifactServingTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String MANIFEST = "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\"}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  ArtifactServingTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  private ModelSaved save(TestAgent agent, byte[] onnx) throws Exception {
    try (TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave(
          "iris",
          1,
          Map.of("model.onnx", onnx, "model.json", MANIFEST.getBytes(StandardCharsets.UTF_8)));
      return (ModelSaved) reader.await(1, WAIT).get(0);
    }
  }

  @Test
  @DisplayName("a published version is listed with its digest; its files carry ETag and ranges")
  void servesPublishedVersion() throws Exception {
    byte[] onnx = OnnxModelWriter.withHiddenLayer(2_000, 7);
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 60_000).start()) {
      ModelSaved saved = save(agent, onnx);

      HttpResponse<String> list = agent.awaitStatus("/artifacts/iris/1", 200, WAIT);
      assertEquals(200, list.statusCode(), list.body());
      JsonNode listing = JSON.readTree(list.body());
      assertEquals(saved.digest(), listing.get("digest").asText());
      assertEquals(saved.files().size(), listing.get("files").size());
      FileEntry model =
          saved.files().stream().filter(f -> f.path().equals("model.onnx")).findFirst().get();

      HttpResponse<byte[]> whole =
          agent.send(
              agent.request("/artifacts/iris/1/model.onnx"),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, whole.statusCode());
      assertArrayEquals(onnx, whole.body());
      String etag = "\"" + model.sha256() + "\"";
      assertEquals(etag, whole.headers().firstValue("ETag").orElse(""));
      assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElse(""));

      HttpResponse<byte[]> cached =
          agent.send(
              agent.request("/artifacts/iris/1/model.onnx").header("If-None-Match", etag),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(304, cached.statusCode());

      HttpResponse<byte[]> part =
          agent.send(
              agent.request("/artifacts/iris/1/model.onnx").header("Range", "bytes=100-1099"),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(206, part.statusCode());
      assertEquals(
          "bytes 100-1099/" + onnx.length, part.headers().firstValue("Content-Range").orElse(""));
      assertArrayEquals(Arrays.copyOfRange(onnx, 100, 1100), part.body());

      HttpResponse<byte[]> past =
          agent.send(
              agent
                  .request("/artifacts/iris/1/model.onnx")
                  .header("Range", "bytes=" + onnx.length + "-"),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(416, past.statusCode());
    }
  }

  @Test
  @DisplayName("unknown versions and files are 404, bad names 400, nothing outside a version")
  void refusesEverythingElse() throws Exception {
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 60_000).start()) {
      save(agent, OnnxModelWriter.affine(2f));
      agent.awaitStatus("/artifacts/iris/1", 200, WAIT);
      assertEquals(404, agent.get("/artifacts/iris/2").statusCode());
      assertEquals(404, agent.get("/artifacts/iris/2/model.onnx").statusCode());
      assertEquals(404, agent.get("/artifacts/iris/1/other.onnx").statusCode());
      assertEquals(400, agent.get("/artifacts/-iris/1").statusCode());
      assertEquals(400, agent.get("/artifacts/iris/0").statusCode());
      for (String sneaky :
          new String[] {
            "/artifacts/iris/1/../../.modelsync-agent/state.json",
            "/artifacts/iris/1/%2e%2e/%2e%2e/.modelsync-agent/state.json",
            "/artifacts/iris/1/..%2F..%2F.modelsync-agent%2Fstate.json",
            "/artifacts/.modelsync-agent/state.json"
          }) {
        int status = agent.get(sneaky).statusCode();
        assertTrue(status == 404 || status == 400, sneaky + " answered " + status);
      }
    }
  }

  @Test
  @DisplayName("with MODELSYNC_ARTIFACT_TOKEN set, no token is 401 and a wrong one 403")
  void token() throws Exception {
    ArtifactToken token = ArtifactToken.of("artifact-token-0123456789");
    try (TestAgent agent =
        new TestAgent(root, kafka.bootstrapServers(), 60_000, Optional.empty(), Optional.of(token))
            .start()) {
      save(agent, OnnxModelWriter.affine(2f));
      HttpResponse<String> ok =
          agent.send(
              agent.request("/artifacts/iris/1").header("Authorization", token.authorization()),
              HttpResponse.BodyHandlers.ofString());
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (ok.statusCode() == 404 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        ok =
            agent.send(
                agent.request("/artifacts/iris/1").header("Authorization", token.authorization()),
                HttpResponse.BodyHandlers.ofString());
      }
      assertEquals(200, ok.statusCode(), ok.body());
      HttpResponse<String> none = agent.get("/artifacts/iris/1/model.onnx");
      assertEquals(401, none.statusCode());
      assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent());
      HttpResponse<String> wrong =
          agent.send(
              agent
                  .request("/artifacts/iris/1/model.onnx")
                  .header("Authorization", "Bearer not-the-artifact-token"),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(403, wrong.statusCode());
      assertNotEquals(200, agent.get("/artifacts/iris/1").statusCode());
    }
  }
}
