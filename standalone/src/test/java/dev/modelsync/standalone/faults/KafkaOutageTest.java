package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaOutageTest {
  static final String MODEL = "outage";

  @Test
  @DisplayName(
      "Kafka stops, three versions are saved, Kafka comes back: health said 503 with a reason"
          + " meanwhile, the last version serves, each event arrived once and applied once")
  void outage(@TempDir Path dir) throws Exception {
    try (var system = StandaloneHarness.start(dir, Map.of("MODELSYNC_HEALTH_MS", "500"))) {
      int api = system.apiPort();
      int agent = system.agentPort();
      StandaloneHarness.saveVersion(system.modelsDir(), MODEL, 1, OnnxModelWriter.affine(1f));
      Faults.awaitAnswer(api, MODEL, "[10.0,11.0,12.0]", Duration.ofSeconds(30));
      awaitHealth(agent, "/health", 200, "UP");
      awaitHealth(api, "/health", 200, "UP");

      system.kafka().stop();
      String agentDown = awaitHealth(agent, "/health", 503, "Kafka");
      String apiDown = awaitHealth(api, "/health", 503, "Kafka");
      System.out.println("while Kafka was down: agent " + agentDown + ", api " + apiDown);
      for (int v = 2; v <= 4; v++) {
        StandaloneHarness.saveVersion(system.modelsDir(), MODEL, v, OnnxModelWriter.affine(v));
        Thread.sleep(300);
      }
      // still serving what it has, and still ready: only /health reports the lost broker
      assertEquals("[10.0,11.0,12.0]", Faults.answer(api, MODEL));
      assertEquals(200, Faults.get(api, "/v2/health/ready").statusCode());

      system.kafka().start();
      Faults.awaitAnswer(api, MODEL, "[40.0,44.0,48.0]", Duration.ofSeconds(90));
      awaitHealth(agent, "/health", 200, "UP");
      awaitHealth(api, "/health", 200, "UP");

      List<ModelEvent> saved = Faults.readAll(system.bootstrapServers(), Topics.MODEL_EVENTS);
      assertEquals(
          List.of(1L, 2L, 3L, 4L),
          saved.stream()
              .filter(e -> e instanceof ModelSaved && e.model().equals(MODEL))
              .map(ModelEvent::version)
              .toList(),
          "every save published once, in order");
      Map<Long, Integer> activated = new TreeMap<>();
      try (var statuses = Faults.reader(system.bootstrapServers(), Topics.MODEL_STATUS)) {
        statuses.await(
            e -> e.model().equals(MODEL) && isActivation(e) && e.version() == 4,
            Duration.ofSeconds(30));
        for (ModelEvent e : statuses.values()) {
          if (e.model().equals(MODEL) && isActivation(e)) {
            activated.merge(e.version(), 1, Integer::sum);
          }
        }
      }
      System.out.println("model.activated per version: " + activated);
      assertTrue(activated.values().stream().allMatch(n -> n == 1), "none twice: " + activated);
      assertEquals(1, activated.get(1L));
    }
  }

  private static boolean isActivation(ModelEvent e) {
    return e instanceof ModelStatus s && s.type().equals(EventTypes.ACTIVATED);
  }

  /** Waits for a status and a body containing {@code text}; returns the body. */
  static String awaitHealth(int port, String path, int status, String text)
      throws InterruptedException {
    String[] body = {""};
    Faults.await(
        Duration.ofSeconds(60),
        path + " on " + port + " answering " + status + " with " + text,
        () -> {
          HttpResponse<String> r = Faults.get(port, path);
          body[0] = r == null ? "" : r.body();
          return r != null && r.statusCode() == status && body[0].contains(text);
        });
    return body[0];
  }
}
