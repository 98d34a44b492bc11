package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gate of model.json against real ONNX models, a real broker and a real api. */
@ExtendWith(HarnessExtension.class)
class GateTest {
  Harness h;

  @BeforeEach
  void harness(Harness h) {
    this.h = h;
  }

  /** A model.json gate: on [1, 2, 3, 4] the output must be {@code expected}. */
  static String gate(String output, String expected, String tolerance) {
    return "{\"tolerance\": "
        + tolerance
        + ", \"cases\": [{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\","
        + " \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}],"
        + " \"outputs\": [{\"name\": \""
        + output
        + "\", \"data\": "
        + expected
        + "}]}]}";
  }

  /**
   * Saves affine(scale) as {@code version} with the gate, parsed as the agent parses model.json.
   */
  ModelSaved saveGated(String model, long version, float scale, String gate) throws Exception {
    return h.saveWithManifest(
        model, version, OnnxModelWriter.affine(scale), gate == null ? null : "\"gate\": " + gate);
  }

  ModelStatus awaitStatus(String type, String model, long version) throws Exception {
    return h.awaitStatus(
        type + " of " + model + " v" + version,
        s -> s.type().equals(type) && s.model().equals(model) && s.version() == version);
  }

  @Test
  @DisplayName(
      "a version answering other numbers than its gate expects is rejected with the values and"
          + " never answers; the served version keeps serving")
  void wrongNumbersAreRejected() throws Exception {
    Api api = h.startApi();
    h.save("fraud", 1, 1f);
    h.awaitAnswer(api, "fraud", 1f);

    // v2 is affine(2) (answers 20, 22, 24) but its gate expects what v1 answers (10, 11, 12)
    saveGated("fraud", 2, 2f, gate("output", "[10, 11, 12]", "{\"abs\": 0.0001, \"rel\": 0.001}"));
    ModelStatus rejected = awaitStatus(EventTypes.REJECTED, "fraud", 2);

    assertEquals(3, rejected.mismatches().size(), rejected.toString());
    ModelStatus.Mismatch first = rejected.mismatches().get(0);
    assertEquals(
        new ModelStatus.Mismatch(0, "output", 0, 10.0, 20.0, 0.0001, 0.001), first, "first value");
    assertEquals(24.0, rejected.mismatches().get(2).actual());
    assertTrue(rejected.reason().contains("3 value(s) differ"), rejected.reason());
    assertTrue(h.statuses().stream().noneMatch(s -> s.version() == 2 && isServing(s)));

    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "fraud")));
    var explicit = h.post(api, "/v2/models/fraud/versions/2/infer", Harness.inferBody(1, 2, 3, 4));
    assertEquals(404, explicit.statusCode(), explicit.bodyAsString());
    assertEquals(404, h.get(api, "/v2/models/fraud/versions/2/ready").statusCode());

    JsonObject v2 = indexEntry(api, "fraud", "2");
    assertEquals("UNAVAILABLE", v2.getString("state"));
    assertTrue(v2.getString("reason").startsWith("rejected by its gate"), v2.encode());
    String metrics = h.get(api, "/metrics").bodyAsString();
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("modelsync_gate_rejections_total{")
                        && l.contains("model=\"fraud\"")
                        && l.endsWith(" 1.0")),
        metrics);
  }

  @Test
  @DisplayName("a version whose answers match its gate within the tolerance passes and serves")
  void matchingGatePasses() throws Exception {
    Api api = h.startApi();
    h.save("churn", 1, 1f);
    h.awaitAnswer(api, "churn", 1f);

    // 22.0005 is within rel 1e-4 of 22 (abs 1e-6 alone would refuse it)
    saveGated(
        "churn", 2, 2f, gate("output", "[20, 22.0005, 24]", "{\"abs\": 1e-6, \"rel\": 1e-4}"));

    ModelStatus activated = awaitStatus(EventTypes.ACTIVATED, "churn", 2);
    assertTrue(activated.mismatches().isEmpty());
    h.awaitAnswer(api, "churn", 2f);
    assertTrue(
        h.statuses().stream()
            .noneMatch(s -> s.type().equals(EventTypes.REJECTED) && s.model().equals("churn")));
  }

  @Test
  @DisplayName("a malformed gate is a clear load failure and changes nothing")
  void malformedGateFailsToLoad() throws Exception {
    Api api = h.startApi();
    h.save("spam", 1, 1f);
    h.awaitAnswer(api, "spam", 1f);

    saveGated("spam", 2, 2f, gate("logits", "[20, 22, 24]", "null"));
    ModelStatus unknownOutput = awaitStatus(EventTypes.LOAD_FAILED, "spam", 2);
    assertEquals(
        "bad gate in model.json: case 0 names output 'logits', which the model does not answer",
        unknownOutput.reason());

    saveGated("spam", 3, 3f, gate("output", "[30, 33, 36]", "{\"abs\": -1}"));
    ModelStatus negative = awaitStatus(EventTypes.LOAD_FAILED, "spam", 3);
    assertTrue(negative.reason().contains("must be finite and >= 0, got -1.0"), negative.reason());

    saveGated("spam", 4, 4f, "{\"cases\": []}");
    ModelStatus empty = awaitStatus(EventTypes.LOAD_FAILED, "spam", 4);
    assertEquals("bad gate in model.json: it has no cases", empty.reason());

    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "spam")));
    assertEquals(
        404,
        h.post(api, "/v2/models/spam/versions/4/infer", Harness.inferBody(1, 2, 3, 4))
            .statusCode());
  }

  @Test
  @DisplayName("with MODELSYNC_GATE=required a version without a gate is rejected, one with serves")
  void requiredRefusesUngatedVersions() throws Exception {
    Api api = h.startApi(Map.of("MODELSYNC_GATE", "required"));
    saveGated("ads", 1, 1f, gate("output", "[10, 11, 12]", "null"));
    h.awaitAnswer(api, "ads", 1f);

    saveGated("ads", 2, 2f, null);
    ModelStatus rejected = awaitStatus(EventTypes.REJECTED, "ads", 2);
    assertTrue(rejected.reason().contains("MODELSYNC_GATE=required"), rejected.reason());
    assertTrue(rejected.mismatches().isEmpty());
    assertNull(rejected.loadMillis());
    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "ads")));
  }

  private static boolean isServing(ModelStatus s) {
    return s.type().equals(EventTypes.LOADED) || s.type().equals(EventTypes.ACTIVATED);
  }

  private JsonObject indexEntry(Api api, String model, String version) throws Exception {
    var index = h.post(api, "/v2/repository/index", "{}").bodyAsJsonArray();
    for (int i = 0; i < index.size(); i++) {
      JsonObject e = index.getJsonObject(i);
      if (e.getString("name").equals(model) && e.getString("version").equals(version)) {
        return e;
      }
    }
    throw new AssertionError("no index entry for " + model + " v" + version + ": " + index);
  }
}
