package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.onnx.TypedModels;
import dev.modelsync.onnx.TypedModels.Elem;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shadow copies stacked on their way through a whole rollout: a real api, real ONNX models, the
 * events topic. The candidate answers {@code input + rows in its run}, so each copy's divergence
 * from the served identity is the size of the stack it ran in.
 */
@ExtendWith(HarnessExtension.class)
class ShadowStackingTest {
  private static final int REQUESTS = 64;
  private static final int STACK = 4;

  @Test
  @DisplayName(
      "a burst of requests to a shadowed model: every copy is compared, copies run stacked, never"
          + " more than MODELSYNC_SHADOW_STACK at once, and the served version answers each exactly")
  void copiesRunStacked(Harness h, RolloutProbe probe) throws Exception {
    Api api =
        h.startApi(
            Map.of(
                "MODELSYNC_SHADOW_STACK", String.valueOf(STACK),
                "MODELSYNC_SHADOW_QUEUE", String.valueOf(REQUESTS)));
    h.save("stacked", 1, TypedModels.identity(Elem.FP32));
    Harness.eventually("version 1 answers", () -> probe.inferQuietly(api, "stacked") != null);
    // each run of the candidate reads 4 MiB of weights: the shadow thread falls behind the burst
    probe.saveWithRollout(
        "stacked",
        2,
        TypedModels.plusRows(1 << 17),
        "{\"policy\": \"shadow\", \"tolerance\": {\"abs\": 1.5}}");
    probe.awaitRollout(api, "stacked");

    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<Callable<Void>> burst = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        float[] x = {i, i + 0.25f, i + 0.5f, i + 0.75f};
        burst.add(
            () -> {
              JsonObject answer = probe.infer(api, "stacked", x);
              assertEquals("1", answer.getString("model_version"), "the served version answers");
              assertEquals(
                  List.of((double) x[0], (double) x[1], (double) x[2], (double) x[3]),
                  Harness.numbers(
                      answer.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")));
              return null;
            });
      }
      for (Future<Void> f : clients.invokeAll(burst)) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }

    // at most REQUESTS copies ever wait, the queue holds them all: none is dropped
    JsonObject m =
        probe
            .awaitMeasures(api, "stacked", j -> j.getLong("requests") == REQUESTS)
            .getJsonObject("measures");
    assertEquals(0L, m.getLong("dropped"));
    double maxAbs = m.getDouble("maxAbs");
    assertTrue(maxAbs >= 2 && maxAbs <= STACK, "largest stack " + maxAbs + ": " + m);
    assertEquals(Math.rint(maxAbs), maxAbs, "a whole number of rows: " + m);
    // a copy alone diverges by 1, within the tolerance; one stacked by 2 or more, beyond it
    assertTrue(m.getDouble("divergentShare") > 0, m.toString());
    double mean = m.getDouble("meanAbs");
    assertTrue(mean >= 1 && mean <= maxAbs, m.toString());
  }
}
