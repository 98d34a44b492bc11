package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneIT {
  static final String INFER_BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void jar() {
    StandaloneProcess.requireJar();
  }

  @Test
  @DisplayName(
      "a user starts the jar, saves v1 and v2, sees each answer, reads the events, and Ctrl-C leaves nothing")
  void endToEnd(@TempDir Path dir) throws Exception {
    try (var app = new StandaloneProcess(dir, "--demo", "false")) {
      app.awaitReady(Duration.ofSeconds(90));

      DemoModel.save(app.models, "m", 1, OnnxModelWriter.affine(1f));
      assertEquals("[10.0,11.0,12.0]", awaitAnswer(app, "m", "[10.0,11.0,12.0]"));

      DemoModel.save(app.models, "m", 2, OnnxModelWriter.affine(2f));
      assertEquals("[20.0,22.0,24.0]", awaitAnswer(app, "m", "[20.0,22.0,24.0]"));

      List<ModelSaved> saved = savedEvents(app.bootstrap(), 2);
      assertEquals(List.of(1L, 2L), saved.stream().map(ModelSaved::version).toList());
      assertTrue(saved.stream().allMatch(e -> e.model().equals("m")));

      int exit = app.stop(Duration.ofSeconds(60));
      assertTrue(
          exit == 0 || exit == 143, "exit code " + exit + ":\n" + String.join("\n", app.output()));
      assertEquals(List.of(), app.crashReports());
      assertEquals(0, app.process().descendants().count(), "no child process left");
      for (int port : new int[] {app.port, app.agentPort, app.kafkaPort}) {
        assertTrue(StandaloneProcess.portIsFree(port), "port " + port + " released");
      }
      assertTrue(
          app.output().stream().anyMatch(l -> l.contains("modelsync stopped")),
          String.join("\n", app.output()));
    }
  }

  @Test
  @DisplayName(
      "SIGTERM while the load warm-up creates ONNX Runtime sessions: the warm-up stops first, exit"
          + " 143, no crash (ONNX Runtime's own shutdown hook frees its environment)")
  void stopDuringLoadWarmUp(@TempDir Path dir) throws Exception {
    for (int run = 1; run <= 3; run++) {
      Path runDir = java.nio.file.Files.createDirectories(dir.resolve("run" + run));
      try (var app =
          new StandaloneProcess(
              runDir, Map.of("MODELSYNC_LOAD_WARMUP_ROUNDS", "1000000"), "--demo", "false")) {
        app.awaitReady(Duration.ofSeconds(90));
        Thread.sleep(200 * run);

        int exit = app.stop(Duration.ofSeconds(60));

        String output = String.join("\n", app.output());
        assertEquals(143, exit, "run " + run + ":\n" + output);
        assertEquals(List.of(), app.crashReports(), "run " + run);
        assertTrue(output.contains("Load warm-up stopped after"), output);
        assertTrue(output.contains("modelsync stopped"), output);
      }
    }
  }

  @Test
  @DisplayName(
      "on first run with an empty models directory the demo model answers the README's curl")
  void demoModel(@TempDir Path dir) throws Exception {
    try (var app = new StandaloneProcess(dir)) {
      app.awaitReady(Duration.ofSeconds(90));
      assertEquals("[10.0,11.0,12.0]", awaitAnswer(app, "demo", "[10.0,11.0,12.0]"));
      app.stop(Duration.ofSeconds(60));
    }
  }

  /** Polls infer until the answer's data equals {@code expected}; returns the last data seen. */
  private String awaitAnswer(StandaloneProcess app, String model, String expected)
      throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(app.baseUrl() + "/v2/models/" + model + "/infer"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(INFER_BODY))
            .build();
    String last = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        int at = response.body().indexOf("\"data\":");
        last = response.body().substring(at + 7, response.body().indexOf(']', at) + 1);
        if (last.equals(expected)) {
          return last;
        }
      } else {
        last = response.statusCode() + " " + response.body();
      }
      Thread.sleep(20);
    }
    return last;
  }

  /** The first {@code expected} model.saved events, read with one consumer. */
  private static List<ModelSaved> savedEvents(String bootstrap, int expected) {
    EventCodec codec = new EventCodec(URI.create("/test"));
    try (var reader = new TopicReader<>(bootstrap, Topics.MODEL_EVENTS, codec::decode)) {
      return reader
          .awaitMatching(ModelSaved.class::isInstance, expected, Duration.ofSeconds(30))
          .stream()
          .map(ModelSaved.class::cast)
          .toList();
    }
  }
}
