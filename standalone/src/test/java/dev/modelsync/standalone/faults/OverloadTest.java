package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverloadTest {
  @Test
  @DisplayName(
      "beyond MODELSYNC_MAX_IN_FLIGHT requests are refused at once with 503 overloaded, not"
          + " queued; the admitted ones finish with 200")
  void overloadIsRefused(@TempDir Path dir) throws Exception {
    TestEngines.HeldPredictLoader held = new TestEngines.HeldPredictLoader();
    try (var system =
        StandaloneHarness.start(dir, Map.of("MODELSYNC_MAX_IN_FLIGHT", "2"), List.of(held))) {
      int api = system.apiPort();
      TestEngines.save(
          system.modelsDir(), "held", 1, OnnxModelWriter.affine(1f), "HeldOnnx", "[1, 4]");
      Faults.await(
          Duration.ofSeconds(30),
          "held loaded",
          () -> Faults.get(api, "/v2/models/held/ready").statusCode() == 200);

      List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        admitted.add(
            Faults.HTTP.sendAsync(
                Faults.inferRequest(api, "held"), HttpResponse.BodyHandlers.ofString()));
      }
      Faults.await(
          Duration.ofSeconds(30),
          "two requests in flight",
          () -> Faults.gauge(api, "modelsync_infer_in_flight_requests") == 2);
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> refused = Faults.infer(api, "held");
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().startsWith("{\"error\":\"overloaded"), refused.body());
      }
      assertTrue(admitted.stream().noneMatch(CompletableFuture::isDone));
      held.release.countDown();
      for (var f : admitted) {
        HttpResponse<String> r = f.get();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[10.0,11.0,12.0]", Faults.data(r.body()));
      }
      assertEquals(4.0, Faults.gauge(api, "modelsync_infer_overloaded_total"));
    }
  }
}
