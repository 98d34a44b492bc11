package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every endpoint, with its success and error shapes, against one api serving "iris" v1 and v2. */
@ExtendWith(HarnessExtension.class)
class ProtocolTest {
  static Harness h;
  static Api api;

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("iris", 1, 1f);
    h.save("iris", 2, 2f);
    api = h.startApi(Map.of("MODELSYNC_MAX_BODY_BYTES", "4096"));
    h.awaitAnswer(api, "iris", 2f);
    h.eventually(
        "v1 loaded too",
        () -> {
          try {
            return h.get(api, "/v2/models/iris/versions/1/ready").statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        });
  }

  static void assertError(HttpResponse<Buffer> r, int status, String text) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/json", r.getHeader("content-type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(1, body.size(), body.encode());
    assertTrue(body.getString("error").contains(text), body.getString("error"));
    assertFalse(body.getString("error").contains("\tat "), "no stack trace");
  }

  @Test
  @DisplayName("server metadata and health")
  void serverAndHealth() throws Exception {
    var server = h.get(api, "/v2");
    assertEquals(200, server.statusCode());
    assertEquals("modelsync", server.bodyAsJsonObject().getString("name"));
    assertNotNull(server.bodyAsJsonObject().getString("version"));
    assertTrue(server.bodyAsJsonObject().getJsonArray("extensions").contains("model_repository"));
    var live = h.get(api, "/v2/health/live");
    assertEquals(200, live.statusCode());
    assertEquals(new JsonObject().put("live", true), live.bodyAsJsonObject());
    assertEquals("application/json", live.getHeader("content-type"));
    var ready = h.get(api, "/v2/health/ready");
    assertEquals(200, ready.statusCode());
    assertEquals(new JsonObject().put("ready", true), ready.bodyAsJsonObject());
    assertError(h.get(api, "/v2/nothing"), 404, "no such endpoint");
  }

  @Test
  @DisplayName("model metadata and readiness, by model and by version")
  void modelMetadata() throws Exception {
    JsonObject meta = h.get(api, "/v2/models/iris").bodyAsJsonObject();
    assertEquals("iris", meta.getString("name"));
    assertEquals(new JsonArray().add("1").add("2"), meta.getJsonArray("versions"));
    assertEquals("onnxruntime_onnx", meta.getString("platform"));
    JsonObject input = meta.getJsonArray("inputs").getJsonObject(0);
    assertEquals("input", input.getString("name"));
    assertEquals("FP32", input.getString("datatype"));
    assertEquals(new JsonArray().add(-1).add(4), input.getJsonArray("shape"));
    assertEquals("output", meta.getJsonArray("outputs").getJsonObject(0).getString("name"));
    assertEquals(200, h.get(api, "/v2/models/iris/versions/1").statusCode());
    var ready = h.get(api, "/v2/models/iris/ready");
    assertEquals(200, ready.statusCode());
    assertEquals(new JsonObject().put("name", "iris").put("ready", true), ready.bodyAsJsonObject());
    assertEquals(200, h.get(api, "/v2/models/iris/versions/2/ready").statusCode());
    assertError(h.get(api, "/v2/models/nope"), 404, "unknown model 'nope'");
    assertError(h.get(api, "/v2/models/iris/versions/9"), 404, "no loaded version 9");
    assertError(
        h.get(api, "/v2/models/iris/versions/x/ready"),
        400,
        "'x' of model 'iris' is not a positive");
    assertError(h.get(api, "/v2/models/nope/ready"), 404, "unknown model");
  }

  @Test
  @DisplayName("infer: the serving version or a named one, id echoed, outputs filter")
  void infer() throws Exception {
    JsonObject body = Harness.inferBody(1, 2, 3, 4, 0, 0, 0, 0).put("id", "req-7");
    body.put("outputs", new JsonArray().add(new JsonObject().put("name", "output")));
    JsonObject answer = h.post(api, "/v2/models/iris/infer", body).bodyAsJsonObject();
    assertEquals("iris", answer.getString("model_name"));
    assertEquals("2", answer.getString("model_version"));
    assertEquals("req-7", answer.getString("id"));
    JsonObject out = answer.getJsonArray("outputs").getJsonObject(0);
    assertEquals("FP32", out.getString("datatype"));
    assertEquals(new JsonArray().add(2).add(3), out.getJsonArray("shape"));
    assertEquals(
        java.util.List.of(20.0, 22.0, 24.0, 0.0, 2.0, 4.0),
        Harness.numbers(out.getJsonArray("data")));

    JsonObject nested =
        new JsonObject()
            .put(
                "inputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "input")
                            .put("shape", new JsonArray().add(1).add(4))
                            .put("datatype", "FP32")
                            .put(
                                "data",
                                new JsonArray().add(new JsonArray().add(1).add(2).add(3).add(4)))));
    var v1 = h.post(api, "/v2/models/iris/versions/1/infer", nested).bodyAsJsonObject();
    assertEquals("1", v1.getString("model_version"));
    assertEquals(
        Harness.numbers(Harness.expected(1f)),
        Harness.numbers(v1.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")));
  }

  @Test
  @DisplayName("infer errors: 400 for each client mistake, 404 for unknown model or version")
  void inferErrors() throws Exception {
    String path = "/v2/models/iris/infer";
    assertError(h.post(api, path, "{not json"), 400, "not valid JSON");
    assertError(h.post(api, path, null), 400, "empty");
    assertError(
        h.post(api, path, Harness.inferBody(1, 2, 3, 4).encode().replace("\"input\"", "\"x\"")),
        400,
        "unknown input 'x'");
    assertError(
        h.post(api, path, Harness.inferBody(1, 2, 3, 4).encode().replace("FP32", "INT64")),
        400,
        "expects FP32");
    assertError(
        h.post(api, path, Harness.inferBody(1, 2, 3, 4).encode().replace("[1,4]", "[2,4]")),
        400,
        "needs 8");
    assertError(
        h.post(api, path, Harness.inferBody(1, 2, 3, 4).encode().replace("[1,4]", "[4,1]")),
        400,
        "model expects");
    assertError(
        h.post(api, path, "{\"inputs\":[], \"pad\":\"" + "x".repeat(5000) + "\"}"),
        400,
        "larger than");
    assertError(
        h.post(api, "/v2/models/nope/infer", Harness.inferBody(1, 2, 3, 4)), 404, "unknown model");
    assertError(
        h.post(api, "/v2/models/iris/versions/7/infer", Harness.inferBody(1, 2, 3, 4)),
        404,
        "no loaded version 7");
    assertError(h.get(api, "/v2/models/iris/infer"), 405, "not allowed");
  }

  @Test
  @DisplayName("TF Serving: status, predict with instances and inputs, errors")
  void tfServing() throws Exception {
    JsonObject status = h.get(api, "/v1/models/iris").bodyAsJsonObject();
    JsonArray versions = status.getJsonArray("model_version_status");
    assertEquals("AVAILABLE", versions.getJsonObject(0).getString("state"));
    assertEquals(2, versions.size());
    var rows = h.post(api, "/v1/models/iris:predict", "{\"instances\":[[1,2,3,4],[0,0,0,0]]}");
    assertEquals(200, rows.statusCode(), rows.bodyAsString());
    JsonArray predictions = rows.bodyAsJsonObject().getJsonArray("predictions");
    assertEquals(
        Harness.numbers(Harness.expected(2f)), Harness.numbers(predictions.getJsonArray(0)));
    var columns =
        h.post(api, "/v1/models/iris/versions/1:predict", "{\"inputs\":{\"input\":[[1,2,3,4]]}}");
    assertEquals(200, columns.statusCode(), columns.bodyAsString());
    assertEquals(
        Harness.numbers(Harness.expected(1f)),
        Harness.numbers(columns.bodyAsJsonObject().getJsonArray("outputs").getJsonArray(0)));
    assertError(
        h.post(api, "/v1/models/iris:predict", "{\"instances\":[[1,2,3]]}"), 400, "model expects");
    assertError(h.post(api, "/v1/models/iris:predict", "{}"), 400, "exactly one of");
    assertError(
        h.post(api, "/v1/models/nope:predict", "{\"instances\":[[1,2,3,4]]}"),
        404,
        "unknown model");
    assertError(h.get(api, "/v1/models/nope"), 404, "unknown model");
  }

  @Test
  @DisplayName(
      "admin: 401 without a token, 403 with a wrong one; repository index, unload and load")
  void adminAndRepository() throws Exception {
    String pin = "/v2/repository/models/iris/pin";
    assertError(h.admin(api, pin, "{\"version\":\"1\"}", null), 401, "Bearer");
    assertError(h.admin(api, pin, "{\"version\":\"1\"}", "wrong-token"), 403, "wrong admin token");
    assertError(h.admin(api, pin, "{\"version\":\"x\"}", Harness.TOKEN), 400, "version");
    assertError(h.admin(api, pin, "{\"version\":\"42\"}", Harness.TOKEN), 404, "no version 42");
    assertError(
        h.admin(api, "/v2/repository/models/nope/rollback", null, Harness.TOKEN),
        404,
        "unknown model");

    var index = h.post(api, "/v2/repository/index", null);
    assertEquals(200, index.statusCode());
    JsonObject first = index.bodyAsJsonArray().getJsonObject(0);
    assertEquals("iris", first.getString("name"));
    assertEquals("READY", first.getString("state"));

    h.save("tmp", 1, 3f);
    h.awaitAnswer(api, "tmp", 3f);
    assertEquals(
        200, h.admin(api, "/v2/repository/models/tmp/unload", null, Harness.TOKEN).statusCode());
    assertError(
        h.post(api, "/v2/models/tmp/infer", Harness.inferBody(1, 2, 3, 4)), 404, "unknown model");
    assertEquals(
        200, h.admin(api, "/v2/repository/models/tmp/load", null, Harness.TOKEN).statusCode());
    assertEquals(Harness.numbers(Harness.expected(3f)), Harness.numbers(h.infer(api, "tmp")));
    assertError(
        h.admin(api, "/v2/repository/models/nope/load", null, Harness.TOKEN), 404, "unknown model");
  }

  @Test
  @DisplayName("metrics and the OpenAPI document")
  void metricsAndOpenApi() throws Exception {
    h.infer(api, "iris");
    String metrics = h.get(api, "/metrics").bodyAsString();
    assertTrue(
        metrics.contains(
            "modelsync_infer_requests_total{instance=\"test-0\",model=\"iris\",outcome=\"success\","
                + "version=\"2\"}"),
        metrics);
    assertTrue(metrics.contains("modelsync_infer_latency_seconds_bucket"));
    assertTrue(metrics.contains("modelsync_versions_loaded"));
    assertTrue(metrics.contains("jvm_memory_used_bytes"));
    var openapi = h.get(api, "/openapi.yaml");
    assertEquals(200, openapi.statusCode());
    assertTrue(openapi.bodyAsString().contains("/v2/models/{model}/infer"));
  }
}
