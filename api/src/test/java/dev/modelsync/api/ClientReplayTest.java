package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The requests Triton's and KServe's Python clients make for their calls other than the binary
 * infer (BinaryTensorTest has that one), replayed byte for byte on one keep-alive connection
 * against a real api serving a real ONNX model, with assertions on exactly what each client reads
 * from the answer. KServe's infer with a dict body is JSON, so it is here too.
 *
 * <p>The bytes come from the clients' sources: tritonclient.http (_client.py: the path of each
 * call, {@code headers={}} and no query) sends through geventhttpclient 2.3 (client.py
 * _build_request: request line, its default User-Agent, then Host); KServe's InferenceRESTClient
 * (inference_client.py, protocol "v1" by default or "v2") sends through httpx, whose bytes for
 * those GETs were captured from httpx 0.28.1 on a socket.
 */
@ExtendWith(HarnessExtension.class)
class ClientReplayTest {
  static Harness h;
  static Api api;
  static int port;

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("iris", 1, 1f);
    h.save("iris", 2, 2f);
    api = h.startApi();
    port = api.httpPort();
    h.awaitAnswer(api, "iris", 2f);
    Harness.eventually(
        "v1 loaded too",
        () -> {
          try {
            return h.get(api, "/v2/models/iris/versions/1/ready").statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        });
  }

  /** tritonclient.http's GET: geventhttpclient writes the request line, User-Agent, Host. */
  static String triton(String path) {
    return "GET "
        + path
        + " HTTP/1.1\r\nUser-Agent: python/gevent-http-client-2.3.8\r\nHost: 127.0.0.1:"
        + port
        + "\r\n\r\n";
  }

  /** KServe's InferenceRESTClient GET, as httpx 0.28.1 writes it. */
  static String kserve(String path) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1:"
        + port
        + "\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        + "User-Agent: python-httpx/0.28.1\r\n\r\n";
  }

  /** KServe's InferenceRESTClient.infer with a dict: orjson's compact JSON, through httpx. */
  static String kservePost(String path, String json) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1:"
        + port
        + "\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        + "User-Agent: python-httpx/0.28.1\r\ncontent-type: application/json\r\nContent-Length: "
        + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + json;
  }

  /** What tritonclient's _raise_if_error needs to build its exception: JSON with "error". */
  static void assertTritonError(ReplayConnection.Answer a) {
    assertNotEquals(200, a.status());
    assertTrue(a.json().getString("error").length() > 0, a.text());
  }

  @Test
  @DisplayName(
      "tritonclient.http: health, metadata, config and statistics calls read what they need")
  void tritonclient() throws Exception {
    try (ReplayConnection c = new ReplayConnection(port)) {
      // is_server_live / is_server_ready / is_model_ready: status == 200
      assertEquals(200, c.exchange(triton("/v2/health/live")).status());
      assertEquals(200, c.exchange(triton("/v2/health/ready")).status());
      assertEquals(200, c.exchange(triton("/v2/models/iris/ready")).status());
      assertEquals(200, c.exchange(triton("/v2/models/iris/versions/1/ready")).status());
      assertNotEquals(200, c.exchange(triton("/v2/models/nope/ready")).status());
      assertNotEquals(200, c.exchange(triton("/v2/models/iris/versions/9/ready")).status());

      // get_server_metadata: json.loads(body)
      JsonObject server = c.exchange(triton("/v2")).json();
      assertEquals("modelsync", server.getString("name"));
      JsonArray extensions = server.getJsonArray("extensions");
      assertTrue(extensions.contains("model_configuration"), extensions.encode());
      assertTrue(extensions.contains("statistics"), extensions.encode());

      // get_model_metadata
      JsonObject meta = c.exchange(triton("/v2/models/iris")).json();
      assertEquals(new JsonArray().add("1").add("2"), meta.getJsonArray("versions"));
      assertEquals("FP32", meta.getJsonArray("inputs").getJsonObject(0).getString("datatype"));
      assertEquals(
          "iris", c.exchange(triton("/v2/models/iris/versions/1")).json().getString("name"));
      assertTritonError(c.exchange(triton("/v2/models/nope")));

      // get_model_config: what perf_analyzer reads from it
      JsonObject config = c.exchange(triton("/v2/models/iris/config")).json();
      assertEquals("iris", config.getString("name"));
      assertEquals("onnxruntime_onnx", config.getString("platform"));
      assertEquals("onnxruntime", config.getString("backend"));
      assertTrue(config.getInteger("max_batch_size") > 0, config.encode());
      JsonObject input = config.getJsonArray("input").getJsonObject(0);
      assertEquals("input", input.getString("name"));
      assertEquals("TYPE_FP32", input.getString("data_type"));
      assertEquals(new JsonArray().add(4), input.getJsonArray("dims"));
      JsonObject output = config.getJsonArray("output").getJsonObject(0);
      assertEquals("output", output.getString("name"));
      assertEquals(new JsonArray().add(3), output.getJsonArray("dims"));
      assertEquals(
          config.getJsonArray("input"),
          c.exchange(triton("/v2/models/iris/versions/1/config")).json().getJsonArray("input"));
      assertTritonError(c.exchange(triton("/v2/models/nope/config")));
      assertTritonError(c.exchange(triton("/v2/models/iris/versions/9/config")));

      // get_inference_statistics: every model, one model, one version
      JsonArray all = c.exchange(triton("/v2/models/stats")).json().getJsonArray("model_stats");
      assertEquals(List.of("1", "2"), versions(all, "iris"));
      JsonArray iris =
          c.exchange(triton("/v2/models/iris/stats")).json().getJsonArray("model_stats");
      assertEquals(List.of("1", "2"), versions(iris, "iris"));
      JsonArray v2 =
          c.exchange(triton("/v2/models/iris/versions/2/stats")).json().getJsonArray("model_stats");
      assertEquals(List.of("2"), versions(v2, "iris"));
      JsonObject stats = v2.getJsonObject(0).getJsonObject("inference_stats");
      for (String k :
          List.of("success", "fail", "queue", "compute_input", "compute_infer", "compute_output")) {
        assertTrue(stats.getJsonObject(k).containsKey("count"), k);
        assertTrue(stats.getJsonObject(k).containsKey("ns"), k);
      }
      assertTritonError(c.exchange(triton("/v2/models/nope/stats")));
    }
  }

  @Test
  @DisplayName("KServe's REST client, v2 and its default v1 protocol: health bodies it .json()s")
  void kserveClient() throws Exception {
    try (ReplayConnection c = new ReplayConnection(port)) {
      // v2: is_server_live reads .json().get("live"), is_server_ready .json().get("ready")
      ReplayConnection.Answer live = c.exchange(kserve("/v2/health/live"));
      assertEquals(200, live.status());
      assertEquals(true, live.json().getValue("live"));
      ReplayConnection.Answer ready = c.exchange(kserve("/v2/health/ready"));
      assertEquals(true, ready.json().getValue("ready"));
      // is_model_ready (v2) reads the status only; the protocol's body comes along
      ReplayConnection.Answer model = c.exchange(kserve("/v2/models/iris/ready"));
      assertEquals(200, model.status());
      assertEquals(
          new JsonObject().put("name", "iris").put("ready", true), model.json(), model.text());
      assertEquals(404, c.exchange(kserve("/v2/models/nope/ready")).status());

      // v1 (the client's default): is_server_live reads GET / .json()["status"] == "alive",
      // is_model_ready reads GET /v1/models/{m} .json().get("ready")
      assertEquals("alive", c.exchange(kserve("/")).json().getString("status"));
      JsonObject v1 = c.exchange(kserve("/v1/models/iris")).json();
      assertEquals(true, v1.getValue("ready"));
      assertEquals(2, v1.getJsonArray("model_version_status").size());
      // infer (v1): POST {m}:predict, the answer orjson.loads-ed as a dict
      ReplayConnection.Answer predict =
          c.exchange(kservePost("/v1/models/iris:predict", "{\"instances\":[[1,2,3,4]]}"));
      assertEquals(200, predict.status(), predict.text());
      assertEquals(
          Harness.numbers(Harness.expected(2f)),
          Harness.numbers(predict.json().getJsonArray("predictions").getJsonArray(0)));
      // infer (v2) with a dict: no Inference-Header-Content-Length in the answer, so
      // InferResponse.from_bytes reads the whole body as the JSON response
      String body =
          "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
              + "\"data\":[1,2,3,4]}]}";
      ReplayConnection.Answer v2 = c.exchange(kservePost("/v2/models/iris/infer", body));
      assertEquals(200, v2.status(), v2.text());
      assertEquals(null, v2.headers().get("inference-header-content-length"));
      JsonObject answer = v2.json();
      assertEquals("iris", answer.getString("model_name"));
      assertEquals(
          Harness.numbers(Harness.expected(2f)),
          Harness.numbers(answer.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")));
      // its error path reads "error" from a JSON body
      ReplayConnection.Answer missing = c.exchange(kserve("/v1/models/nope"));
      assertEquals(404, missing.status());
      assertEquals("application/json", missing.headers().get("content-type"));
      assertTrue(missing.json().getString("error").contains("unknown model"));
    }
  }

  private static List<String> versions(JsonArray stats, String model) {
    return stats.stream()
        .map(JsonObject.class::cast)
        .filter(s -> s.getString("name").equals(model))
        .map(s -> s.getString("version"))
        .toList();
  }
}
