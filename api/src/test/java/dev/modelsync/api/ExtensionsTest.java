package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Triton's statistics counted request by request, and TF Serving's metadata, version status, labels
 * (on the catalog's pin), {@code b64} values and {@code signature_name}, against one api serving
 * real ONNX models: "iris" v1 and v2 (floats), "counted" (floats) and "words" (text).
 */
@ExtendWith(HarnessExtension.class)
class ExtensionsTest {
  static Harness h;
  static Api api;

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("iris", 1, 1f);
    h.save("iris", 2, 2f);
    h.save("counted", 1, 1f);
    h.save("words", 1, StringModel.identity());
    api = h.startApi();
    h.awaitAnswer(api, "iris", 2f);
    h.awaitAnswer(api, "counted", 1f);
    Harness.eventually("iris v1 and words loaded", () -> ok("/v2/models/iris/versions/1/ready"));
    Harness.eventually("words loaded", () -> ok("/v2/models/words/ready"));
  }

  private static boolean ok(String path) {
    try {
      return h.get(api, path).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static JsonObject stats() throws Exception {
    var r = h.get(api, "/v2/models/counted/versions/1/stats");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("model_stats").getJsonObject(0);
  }

  private static long count(JsonObject stats, String phase) {
    return stats.getJsonObject("inference_stats").getJsonObject(phase).getLong("count");
  }

  @Test
  @DisplayName("stats: each request counts once, rows count as inferences, failures apart")
  void statistics() throws Exception {
    JsonObject before = stats();
    long sent = System.currentTimeMillis();
    String path = "/v2/models/counted/infer";
    // one after the other, so no two share a model run
    assertEquals(200, h.post(api, path, Harness.inferBody(1, 2, 3, 4, 0, 0, 0, 0)).statusCode());
    assertEquals(200, h.post(api, path, Harness.inferBody(1, 2, 3, 4)).statusCode());
    assertEquals(200, h.post(api, path, Harness.inferBody(4, 3, 2, 1)).statusCode());
    String unknown = Harness.inferBody(1, 2, 3, 4).encode().replace("\"input\"", "\"x\"");
    assertEquals(400, h.post(api, path, unknown).statusCode());
    JsonObject after = stats();

    assertEquals("counted", after.getString("name"));
    assertEquals("1", after.getString("version"));
    assertEquals(4, after.getLong("inference_count") - before.getLong("inference_count"));
    assertEquals(3, after.getLong("execution_count") - before.getLong("execution_count"));
    Map<String, Long> expected =
        Map.of(
            "success", 3L,
            "fail", 1L,
            "queue", 4L,
            "compute_input", 3L,
            "compute_infer", 3L,
            "compute_output", 3L);
    expected.forEach(
        (phase, n) -> assertEquals((long) n, count(after, phase) - count(before, phase), phase));
    JsonObject success = after.getJsonObject("inference_stats").getJsonObject("success");
    assertTrue(success.getLong("ns") > 0, success.encode());
    long last = after.getLong("last_inference");
    assertTrue(last >= sent && last <= System.currentTimeMillis(), Long.toString(last));
  }

  @Test
  @DisplayName("TF Serving metadata: serving_default with dtype and tensor_shape, by version too")
  void tfMetadata() throws Exception {
    JsonObject meta = h.get(api, "/v1/models/iris/metadata").bodyAsJsonObject();
    assertEquals(
        new JsonObject().put("name", "iris").put("signature_name", "").put("version", "2"),
        meta.getJsonObject("model_spec"));
    JsonObject def =
        meta.getJsonObject("metadata")
            .getJsonObject("signature_def")
            .getJsonObject("signature_def")
            .getJsonObject("serving_default");
    assertEquals("tensorflow/serving/predict", def.getString("method_name"));
    JsonObject input = def.getJsonObject("inputs").getJsonObject("input");
    assertEquals("DT_FLOAT", input.getString("dtype"));
    assertEquals(
        new JsonObject()
            .put(
                "dim",
                new JsonArray()
                    .add(new JsonObject().put("size", "-1").put("name", ""))
                    .add(new JsonObject().put("size", "4").put("name", "")))
            .put("unknown_rank", false),
        input.getJsonObject("tensor_shape"));
    assertTrue(def.getJsonObject("outputs").containsKey("output"));
    assertEquals(
        "1",
        h.get(api, "/v1/models/iris/versions/1/metadata")
            .bodyAsJsonObject()
            .getJsonObject("model_spec")
            .getString("version"));
    JsonObject words = h.get(api, "/v1/models/words/metadata").bodyAsJsonObject();
    assertTrue(words.encode().contains("\"dtype\":\"DT_STRING\""), words.encode());
    assertEquals(404, h.get(api, "/v1/models/nope/metadata").statusCode());
    assertEquals(404, h.get(api, "/v1/models/iris/versions/9/metadata").statusCode());
  }

  @Test
  @DisplayName(
      "TF Serving version status; labels follow the pin: stable = serving, canary = newest")
  void tfVersionsAndLabels() throws Exception {
    JsonArray one =
        h.get(api, "/v1/models/iris/versions/1")
            .bodyAsJsonObject()
            .getJsonArray("model_version_status");
    assertEquals(1, one.size());
    assertEquals("1", one.getJsonObject(0).getString("version"));
    assertEquals("AVAILABLE", one.getJsonObject(0).getString("state"));
    assertEquals(404, h.get(api, "/v1/models/iris/versions/9").statusCode());
    assertEquals("2", labelled("stable"));
    assertEquals("2", labelled("canary"));

    var pin = h.admin(api, "/v2/repository/models/iris/pin", "{\"version\":\"1\"}", Harness.TOKEN);
    assertEquals(200, pin.statusCode(), pin.bodyAsString());
    try {
      Harness.eventually("stable follows the pin", () -> "1".equals(quietly("stable")));
      assertEquals("2", labelled("latest"));
      assertEquals("2", labelled("canary"));
      assertEquals(
          Harness.numbers(Harness.expected(1f)), predictions("/v1/models/iris/labels/stable"));
      assertEquals(
          Harness.numbers(Harness.expected(2f)), predictions("/v1/models/iris/labels/canary"));
    } finally {
      h.admin(api, "/v2/repository/models/iris/unpin", null, Harness.TOKEN);
    }
    var unknown = h.get(api, "/v1/models/iris/labels/blue");
    assertEquals(404, unknown.statusCode());
    assertTrue(unknown.bodyAsJsonObject().getString("error").contains("no label 'blue'"));
    assertEquals(
        404,
        h.post(api, "/v1/models/iris/labels/blue:predict", "{\"instances\":[[1,2,3,4]]}")
            .statusCode());
  }

  private static String labelled(String label) throws Exception {
    var r = h.get(api, "/v1/models/iris/labels/" + label);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject()
        .getJsonArray("model_version_status")
        .getJsonObject(0)
        .getString("version");
  }

  private static String quietly(String label) {
    try {
      return labelled(label);
    } catch (Exception | AssertionError e) {
      return null;
    }
  }

  private static List<Double> predictions(String path) throws Exception {
    var r = h.post(api, path + ":predict", "{\"instances\":[[1,2,3,4]]}");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return Harness.numbers(r.bodyAsJsonObject().getJsonArray("predictions").getJsonArray(0));
  }

  @Test
  @DisplayName("TF Serving b64 values for BYTES, in instances and inputs; signature_name checked")
  void tfB64AndSignature() throws Exception {
    String hello = Base64.getEncoder().encodeToString("héllo".getBytes("UTF-8"));
    var rows =
        h.post(
            api,
            "/v1/models/words:predict",
            "{\"signature_name\":\"serving_default\",\"instances\":[{\"b64\":\""
                + hello
                + "\"},\"plain\"]}");
    assertEquals(200, rows.statusCode(), rows.bodyAsString());
    assertEquals(
        new JsonArray().add("héllo").add("plain"),
        rows.bodyAsJsonObject().getJsonArray("predictions"));
    var columns =
        h.post(
            api,
            "/v1/models/words:predict",
            "{\"inputs\":{\"text\":[{\"b64\":\"" + hello + "\"}]}}");
    assertEquals(200, columns.statusCode(), columns.bodyAsString());
    assertEquals(new JsonArray().add("héllo"), columns.bodyAsJsonObject().getJsonArray("outputs"));

    ProtocolTest.assertError(
        h.post(api, "/v1/models/words:predict", "{\"instances\":[{\"b64\":\"%%%\"}]}"),
        400,
        "not valid base64");
    String notUtf8 = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0x00});
    ProtocolTest.assertError(
        h.post(api, "/v1/models/words:predict", "{\"instances\":[{\"b64\":\"" + notUtf8 + "\"}]}"),
        400,
        "not UTF-8");
    ProtocolTest.assertError(
        h.post(
            api,
            "/v1/models/iris:predict",
            "{\"signature_name\":\"classify\",\"instances\":[[1,2,3,4]]}"),
        400,
        "unknown signature_name 'classify'");
  }
}
