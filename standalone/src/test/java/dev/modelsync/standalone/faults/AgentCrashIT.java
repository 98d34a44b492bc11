package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCrashIT {
  @Test
  @DisplayName(
      "the agent is killed -9 while a model file is written in chunks over two seconds and"
          + " restarted: the version is published once, and complete")
  void crashDuringSlowSave(@TempDir Path dir) throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Path store = dir.resolve("store");
    byte[] model = OnnxModelWriter.withHiddenLayer(100_000, 7);
    try (var kafka = EmbeddedKafka.at(dir.resolve("kafka"), 0).start();
        var events = Faults.reader(kafka.bootstrapServers(), Topics.MODEL_EVENTS)) {
      int port = ChildJvm.freePort();
      Map<String, String> env =
          Map.of(
              "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
              "MODELSYNC_MODELS_DIR", models.toString(),
              "MODELSYNC_STORE_DIR", store.toString(),
              "MODELSYNC_AGENT_PORT", Integer.toString(port),
              // each chunk below is its own open-append-close: with inotify every close completes
              // a save (HalfClosedFileTest covers that); the quiet period makes them one save,
              // which is what this crash test is about
              "MODELSYNC_WATCH", "poll",
              // the chunks come 200 ms apart; at the default 500 ms a stall of this busy test JVM
              // between two of them ended the save early once (a 4-chunk version 1)
              "MODELSYNC_QUIET_MS", "3000");
      Path log = dir.resolve("agent.log");
      ChildJvm agent = new ChildJvm(ChildJvm.AGENT_JAR, env, log);
      try {
        awaitUp(port, agent);
        Path file = models.resolve("crash.onnx");
        int chunks = 10;
        int size = (model.length + chunks - 1) / chunks;
        for (int i = 0; i < chunks; i++) {
          byte[] chunk =
              Arrays.copyOfRange(model, i * size, Math.min(model.length, (i + 1) * size));
          Files.write(file, chunk, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          if (i == 4) {
            agent.kill();
            agent = new ChildJvm(ChildJvm.AGENT_JAR, env, log);
          }
          Thread.sleep(200);
        }
        awaitUp(port, agent);
        // Not a fixed wait for a second publication: once the agent that is left reports the save
        // published and nothing pending, every event about it is on the topic.
        awaitSettled(port, "crash.onnx", "published as version 1");
        List<ModelSaved> saved = saved(events.readToEnd(Faults.READ), "crash");
        assertEquals(1, saved.size(), "published once: " + saved);
        ModelSaved v1 = saved.get(0);
        assertEquals(1, v1.version());
        Path stored = store.resolve("crash").resolve("1");
        assertEquals(Digests.ofDirectory(stored), v1.digest());
        assertEquals(model.length, v1.size());
        assertEquals(
            HexFormat.of().formatHex(Digests.sha256().digest(model)), v1.files().get(0).sha256());
        assertArrayEquals(model, Files.readAllBytes(stored.resolve(v1.files().get(0).path())));
      } finally {
        agent.kill();
      }
    }
  }

  static List<ModelSaved> saved(List<ModelEvent> events, String model) {
    return events.stream()
        .filter(e -> e instanceof ModelSaved && e.model().equals(model))
        .map(e -> (ModelSaved) e)
        .toList();
  }

  /** Waits until the agent's /models shows {@code unit} in {@code state} and nothing pending. */
  static void awaitSettled(int port, String unit, String state) throws InterruptedException {
    String[] last = {""};
    try {
      Faults.await(
          Duration.ofSeconds(60),
          unit + " " + state + ", nothing pending",
          () -> {
            HttpResponse<String> r = Faults.get(port, "/models");
            if (r == null || r.statusCode() != 200) {
              return false;
            }
            last[0] = r.body();
            JsonObject models = new JsonObject(r.body());
            // {} until the agent's first sync task has run
            JsonObject seen = models.getJsonObject("seen");
            return seen != null
                && state.equals(seen.getString(unit))
                && Long.valueOf(0).equals(models.getLong("pending"));
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last /models: " + last[0], e);
    }
  }

  static void awaitUp(int port, ChildJvm child) throws InterruptedException {
    try {
      Faults.await(
          Duration.ofSeconds(60),
          "the child answering on " + port,
          () -> {
            HttpResponse<String> r = Faults.get(port, "/health");
            return r != null && r.statusCode() == 200;
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + child.output(), e);
    }
  }
}
