package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.grpc.oip.ModelInferResponse;
import dev.modelsync.onnx.OnnxModelWriter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a rollout's candidate answers, on every protocol: a shadow's nothing, a canary's its share
 * and requests naming it; metadata always describes the serving version.
 */
@ExtendWith(HarnessExtension.class)
class RolloutServingTest {
  static final String MESSAGE = "version 2 is a shadow candidate of 'held', not served";
  static final String CANARY_AT_HALF =
      "{\"policy\": \"canary\", \"steps\": [50, 100], \"dwellMs\": 600000,"
          + " \"maxP99IncreaseMs\": 60000}";
  Harness h;
  RolloutProbe probe;

  @BeforeEach
  void harness(Harness h, RolloutProbe probe) {
    this.h = h;
    this.probe = probe;
  }

  @Test
  @DisplayName(
      "a shadow candidate answers no request naming it (KServe, TF Serving versions and labels,"
          + " gRPC): 404 saying it is a shadow candidate; once promoted it answers")
  void shadowCandidateIsNotServed() throws Exception {
    Api api = h.startApi();
    probe.startRollout(api, "held", OnnxModelWriter.affine(2f), "{\"policy\": \"shadow\"}");

    String body = Harness.inferBody(1, 2, 3, 4).encode();
    String tf = "{\"instances\":[[1,2,3,4]]}";
    for (var r :
        new Object[][] {
          {"POST", "/v2/models/held/versions/2/infer", body},
          {"GET", "/v2/models/held/versions/2", null},
          {"GET", "/v2/models/held/versions/2/ready", null},
          {"GET", "/v2/models/held/versions/2/config", null},
          {"POST", "/v1/models/held/versions/2:predict", tf},
          {"GET", "/v1/models/held/versions/2", null},
          {"GET", "/v1/models/held/versions/2/metadata", null},
        }) {
      var response =
          r[0].equals("GET") ? h.get(api, (String) r[1]) : h.post(api, (String) r[1], r[2]);
      assertEquals(404, response.statusCode(), r[1] + ": " + response.bodyAsString());
      assertTrue(response.bodyAsString().contains(MESSAGE), r[1] + ": " + response.bodyAsString());
    }
    // the labels that name the newest version name the newest served one
    for (String label : new String[] {"latest", "canary", "stable"}) {
      JsonObject status = h.get(api, "/v1/models/held/labels/" + label).bodyAsJsonObject();
      assertEquals(
          "1",
          status.getJsonArray("model_version_status").getJsonObject(0).getString("version"),
          label);
    }
    var predict = h.post(api, "/v1/models/held/labels/latest:predict", tf);
    assertEquals(200, predict.statusCode(), predict.bodyAsString());
    assertEquals(
        new JsonArray("[[10.0,11.0,12.0]]"),
        predict.bodyAsJsonObject().getJsonArray("predictions"));
    assertEquals(
        new JsonArray().add("1"),
        h.get(api, "/v2/models/held").bodyAsJsonObject().getJsonArray("versions"));
    try (GrpcCalls grpc = new GrpcCalls(api.grpcPort())) {
      var request = GrpcCalls.floats("held", 1, 2, 3, 4).setModelVersion("2").build();
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> grpc.infer(request));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), e.toString());
      assertEquals(MESSAGE, e.getStatus().getDescription());
    }

    // pinned, a shadow's candidate would answer unnamed requests and refuse named ones: refused
    var pinned =
        h.admin(api, "/v2/repository/models/held/pin", "{\"version\":\"2\"}", Harness.TOKEN);
    assertEquals(409, pinned.statusCode(), pinned.bodyAsString());
    assertTrue(
        pinned.bodyAsString().contains("version 2 of held is a shadow candidate"),
        pinned.bodyAsString());
    var promoted = h.admin(api, "/v2/repository/models/held/promote", null, Harness.TOKEN);
    assertEquals(200, promoted.statusCode(), promoted.bodyAsString());
    h.awaitAnswer(api, "held", 2f);
    var v2 = h.post(api, "/v2/models/held/versions/2/infer", Harness.inferBody(1, 2, 3, 4));
    assertEquals(200, v2.statusCode(), v2.bodyAsString());
  }

  @Test
  @DisplayName(
      "a canary candidate answers requests naming it and the TF Serving canary label, beside its"
          + " share")
  void canaryCandidateIsAddressable() throws Exception {
    Api api = h.startApi();
    probe.startRollout(api, "bird", OnnxModelWriter.affine(2f), CANARY_AT_HALF);
    assertEquals(50, probe.share(api, "bird"));

    for (int i = 0; i < 4; i++) {
      var r = h.post(api, "/v2/models/bird/versions/2/infer", Harness.inferBody(1, 2, 3, 4));
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals("2", r.bodyAsJsonObject().getString("model_version"));
    }
    var tf = h.post(api, "/v1/models/bird/labels/canary:predict", "{\"instances\":[[1,2,3,4]]}");
    assertEquals(200, tf.statusCode(), tf.bodyAsString());
    assertEquals(
        new JsonArray("[[20.0,22.0,24.0]]"), tf.bodyAsJsonObject().getJsonArray("predictions"));
    assertEquals(
        new JsonArray().add("1").add("2"),
        h.get(api, "/v2/models/bird").bodyAsJsonObject().getJsonArray("versions"));
  }

  @Test
  @DisplayName(
      "during a canary at 50%, metadata, config and readiness describe the stable version and take"
          + " no turn of the split")
  void metadataIsNotSplit() throws Exception {
    Api api = h.startApi();
    // v2 answers 5 values where v1 answers 3: its metadata would show it
    probe.startRollout(
        api, "wide", OnnxModelWriter.linear(new float[4][5], new float[5]), CANARY_AT_HALF);
    assertEquals(50, probe.share(api, "wide"));

    for (int i = 0; i < 20; i++) {
      JsonObject meta = h.get(api, "/v2/models/wide").bodyAsJsonObject();
      assertEquals(
          "[-1,3]", meta.getJsonArray("outputs").getJsonObject(0).getJsonArray("shape").encode());
      JsonObject config = h.get(api, "/v2/models/wide/config").bodyAsJsonObject();
      assertEquals(
          "[3]", config.getJsonArray("output").getJsonObject(0).getJsonArray("dims").encode());
      JsonObject tf = h.get(api, "/v1/models/wide/metadata").bodyAsJsonObject();
      assertEquals("1", tf.getJsonObject("model_spec").getString("version"));
    }
    // at 50% the split alternates; a readiness check between two requests takes no turn of it
    for (int i = 0; i < 10; i++) {
      String before = probe.infer(api, "wide", 1, 2, 3, 4).getString("model_version");
      assertEquals(200, h.get(api, "/v2/models/wide/ready").statusCode());
      String after = probe.infer(api, "wide", 1, 2, 3, 4).getString("model_version");
      assertNotEquals(before, after, "request " + i + " after a readiness check");
    }
  }

  @Test
  @DisplayName("a canary at 50% answers exactly 10 of every 20 gRPC ModelInfer calls")
  void canaryOverGrpc() throws Exception {
    Api api = h.startApi();
    probe.startRollout(api, "rpc", OnnxModelWriter.affine(2f), CANARY_AT_HALF);
    assertEquals(50, probe.share(api, "rpc"));

    try (GrpcCalls grpc = new GrpcCalls(api.grpcPort())) {
      for (int block = 0; block < 3; block++) {
        int canary = 0;
        for (int i = 0; i < 20; i++) {
          ModelInferResponse r = grpc.infer(GrpcCalls.floats("rpc", 1, 2, 3, 4).build());
          float[] out = GrpcCalls.firstOutput(r);
          if (r.getModelVersion().equals("2")) {
            canary++;
            assertEquals(20f, out[0], "v2's answer");
          } else {
            assertEquals("1", r.getModelVersion());
            assertEquals(10f, out[0], "v1's answer");
          }
        }
        assertEquals(10, canary, "block " + block);
      }
    }
    assertFalse(probe.rollout(api, "rpc") == null, "still at 50%");
  }
}
