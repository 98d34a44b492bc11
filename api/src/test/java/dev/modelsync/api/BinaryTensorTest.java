package dev.modelsync.api;

import static dev.modelsync.api.ProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.modelsync.api.grpc.oip.InferParameter;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Triton's binary tensor extension against a real api and model, byte for byte. The requests are
 * the ones tritonclient.http builds (client repo, src/python/library/tritonclient/http:
 * _utils._get_inference_request, _client.infer, geventhttpclient's HTTPClient._build_request).
 */
@ExtendWith(HarnessExtension.class)
class BinaryTensorTest {
  static Harness h;
  static Api api;

  /**
   * What {@code InferInput("input", [1, 4], "FP32").set_data_from_numpy(np.array([[1, 2, 3, 4]],
   * np.float32))} then {@code client.infer("iris", [input])} sends with its defaults: binary input,
   * no outputs named, so {@code binary_data_output} for all; rapidjson writes compact JSON.
   */
  static final String TRITON_JSON =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
          + "\"parameters\":{\"binary_data_size\":16}}],"
          + "\"parameters\":{\"binary_data_output\":true}}";

  static final String FLOATS_1234 = "0000803f000000400000404000008040";

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("iris", 1, 1f);
    api = h.startApi(Map.of());
    h.awaitAnswer(api, "iris", 1f);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  @DisplayName("tritonclient.http's default infer, replayed byte for byte, gets Triton's answer")
  void tritonclientReplay() throws Exception {
    assertEquals(139, TRITON_JSON.length());
    byte[] request =
        concat(
            ascii(
                "POST /v2/models/iris/infer HTTP/1.1\r\n"
                    + "User-Agent: python/gevent-http-client-2.3.1\r\n"
                    + "Inference-Header-Content-Length: 139\r\n"
                    + "Host: 127.0.0.1:"
                    + api.httpPort()
                    + "\r\n"
                    + "Content-Length: 155\r\n"
                    + "\r\n"
                    + TRITON_JSON),
            HexFormat.of().parseHex(FLOATS_1234));
    RawHttp.Response r = RawHttp.exchange(api.httpPort(), request);

    assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("application/octet-stream", r.headers().get("content-type"));
    assertEquals("140", r.headers().get("inference-header-content-length"));
    String json =
        "{\"model_name\":\"iris\",\"model_version\":\"1\",\"outputs\":[{\"name\":\"output\","
            + "\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}}]}";
    assertArrayEquals(
        concat(ascii(json), HexFormat.of().parseHex("000020410000304100004041")), r.body());

    // and decoded as tritonclient's InferResult does: JSON header, then as_numpy per output
    float[] output = asNumpy(r, "output");
    assertArrayEquals(new float[] {10, 11, 12}, output);
  }

  /**
   * InferResult.__init__ and as_numpy: the header's length of JSON, then each output with a
   * binary_data_size takes its bytes from the buffer in order; np.frombuffer reads little-endian.
   */
  static float[] asNumpy(RawHttp.Response r, String name) {
    int headerLength = Integer.parseInt(r.headers().get("inference-header-content-length"));
    JsonObject result =
        new JsonObject(
            Buffer.buffer(r.body()).slice(0, headerLength).toString(StandardCharsets.UTF_8));
    Map<String, Integer> index = new HashMap<>();
    int at = 0;
    for (Object o : result.getJsonArray("outputs")) {
      JsonObject output = (JsonObject) o;
      JsonObject parameters = output.getJsonObject("parameters");
      if (parameters != null && parameters.getInteger("binary_data_size") != null) {
        index.put(output.getString("name"), at);
        at += parameters.getInteger("binary_data_size");
      }
    }
    int start = headerLength + index.get(name);
    ByteBuffer b = ByteBuffer.wrap(r.body(), start, r.body().length - start);
    float[] out = new float[(r.body().length - start) / 4];
    b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  private RawHttp.Response post(String json, byte[] binary, String headerLength) throws Exception {
    byte[] body = concat(ascii(json), binary);
    String head =
        "POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n";
    if (headerLength != null) {
      head += "Inference-Header-Content-Length: " + headerLength + "\r\n";
    }
    return RawHttp.exchange(api.httpPort(), concat(ascii(head + "\r\n"), body));
  }

  @Test
  @DisplayName("an output named with binary_data comes back binary for a JSON request")
  void binaryOutputForJsonInput() throws Exception {
    String json =
        "{\"id\":\"7\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"output\","
            + "\"parameters\":{\"binary_data\":true}}]}";
    RawHttp.Response r = post(json, new byte[0], null);
    assertEquals(200, r.status());
    assertEquals("application/octet-stream", r.headers().get("content-type"));
    assertArrayEquals(new float[] {10, 11, 12}, asNumpy(r, "output"));
    String header = new String(r.body(), 0, 148, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"7\""));
  }

  @Test
  @DisplayName("binary input with binary_data false answers plain JSON, without the header")
  void binaryInputJsonOutput() throws Exception {
    String json =
        TRITON_JSON.replace(
            ",\"parameters\":{\"binary_data_output\":true}",
            ",\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":false}}]");
    RawHttp.Response r =
        post(json, HexFormat.of().parseHex(FLOATS_1234), Integer.toString(json.length()));
    assertEquals(200, r.status());
    assertEquals("application/json", r.headers().get("content-type"));
    assertNull(r.headers().get("inference-header-content-length"));
    assertEquals(
        "{\"model_name\":\"iris\",\"model_version\":\"1\",\"outputs\":[{\"name\":\"output\","
            + "\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[10.0,11.0,12.0]}]}",
        new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("sizes that do not match the shape or the body are a 400 saying which")
  void badSizes() throws Exception {
    byte[] twelve = HexFormat.of().parseHex(FLOATS_1234.substring(0, 24));
    String json = TRITON_JSON.replace("16}", "12}");
    var r = post(json, twelve, Integer.toString(json.length()));
    assertEquals(400, r.status());
    assertEquals(
        "{\"error\":\"input 'input' has 12 bytes of FP32 data but its shape [1, 4] needs 16\"}",
        new String(r.body(), StandardCharsets.UTF_8));

    r = post(TRITON_JSON, twelve, "139");
    assertEquals(400, r.status());
    assertTrue(
        new String(r.body(), StandardCharsets.UTF_8)
            .contains("binary_data_size 16 but only 12 bytes of binary data are left"));

    r = post(TRITON_JSON, HexFormat.of().parseHex(FLOATS_1234 + "00"), "139");
    assertEquals(400, r.status());
    assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("1 bytes of binary data"));

    r = post(TRITON_JSON, HexFormat.of().parseHex(FLOATS_1234), "999");
    assertEquals(400, r.status());
    assertTrue(
        new String(r.body(), StandardCharsets.UTF_8)
            .contains("Inference-Header-Content-Length is '999'"));
  }

  @Test
  @DisplayName("the server metadata lists the binary_tensor_data extension")
  void extension() throws Exception {
    var r = h.get(api, "/v2");
    assertTrue(r.bodyAsJsonObject().getJsonArray("extensions").contains("binary_tensor_data"));
  }

  @Test
  @DisplayName("a binary request through the Vert.x web client works the same")
  void webClient() throws Exception {
    var r =
        h.client
            .post(api.httpPort(), "127.0.0.1", "/v2/models/iris/versions/1/infer")
            .putHeader("Inference-Header-Content-Length", "139")
            .sendBuffer(
                Buffer.buffer(concat(ascii(TRITON_JSON), HexFormat.of().parseHex(FLOATS_1234))))
            .await(10, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("140", r.getHeader("Inference-Header-Content-Length"));
    assertError(
        h.post(api, "/v2/models/iris/infer", TRITON_JSON), 400, "but only 0 bytes of binary data");
  }

  /**
   * The Open Inference Protocol returns only the request's {@code id} ("if specified this
   * identifier must be returned in the response"); its {@code parameters} (request, input, output)
   * are for the server, and the response's are "parameters for this response". Triton answers with
   * the parameters its backend sets and, per binary output, {@code binary_data_size} alone
   * (server/src/http_server.cc, FinalizeResponse). So: id echoed on every path, parameters accepted
   * and never echoed, and {@code binary_data_size} only on outputs sent as binary.
   */
  @Test
  @DisplayName(
      "parameters: id echoed; request, input and output parameters taken and not echoed;"
          + " binary_data_size only on binary outputs (JSON, binary HTTP, gRPC), byte for byte")
  void parametersAndId() throws Exception {
    String json =
        "{\"id\":\"p1\",\"parameters\":{\"custom\":42,\"tag\":\"x\",\"binary_data_output\":false},"
            + "\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"parameters\":{\"note\":\"in\"},\"data\":[1,2,3,4]}],"
            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"note\":\"out\",\"flag\":true}}]}";
    RawHttp.Response plain = post(json, false, new byte[0]);
    assertEquals("application/json", plain.headers().get("content-type"));
    assertEquals(
        "{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"p1\",\"outputs\":[{\"name\":"
            + "\"output\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[10.0,11.0,12.0]}]}",
        new String(plain.body(), StandardCharsets.UTF_8));

    // binary input (its binary_data_size stays in the request), every output binary by default
    String binaryJson =
        "{\"id\":\"p2\",\"parameters\":{\"binary_data_output\":true,\"custom\":7},"
            + "\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":16,\"note\":\"in\"}}],"
            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"note\":\"out\"}}]}";
    RawHttp.Response binary = post(binaryJson, true, HexFormat.of().parseHex(FLOATS_1234));
    String header =
        "{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"p2\",\"outputs\":[{\"name\":"
            + "\"output\",\"datatype\":\"FP32\",\"shape\":[1,3],"
            + "\"parameters\":{\"binary_data_size\":12}}]}";
    assertEquals(String.valueOf(header.length()), binary.headers().get(BINARY_HEADER));
    assertArrayEquals(
        concat(ascii(header), HexFormat.of().parseHex("000020410000304100004041")), binary.body());

    // binary input, output asked for as JSON: no binary_data_size on it
    RawHttp.Response mixed =
        post(
            binaryJson.replace("{\"note\":\"out\"}", "{\"binary_data\":false}"),
            true,
            HexFormat.of().parseHex(FLOATS_1234));
    assertNull(mixed.headers().get(BINARY_HEADER));
    assertEquals(
        "{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"p2\",\"outputs\":[{\"name\":"
            + "\"output\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[10.0,11.0,12.0]}]}",
        new String(mixed.body(), StandardCharsets.UTF_8));

    ModelInferRequest.Builder request =
        GrpcCalls.floats("iris", 1, 2, 3, 4)
            .setId("p3")
            .putParameters("custom", InferParameter.newBuilder().setInt64Param(42).build())
            .putParameters("tag", InferParameter.newBuilder().setStringParam("x").build())
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                    .setName("output")
                    .putParameters(
                        "binary_data", InferParameter.newBuilder().setBoolParam(true).build()));
    request
        .getInputsBuilder(0)
        .putParameters("binary_data_size", InferParameter.newBuilder().setInt64Param(16).build());
    ModelInferResponse expected =
        ModelInferResponse.newBuilder()
            .setModelName("iris")
            .setModelVersion("1")
            .setId("p3")
            .addOutputs(
                ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName("output")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(3))
            .addRawOutputContents(
                ByteString.copyFrom(HexFormat.of().parseHex("000020410000304100004041")))
            .build();
    try (GrpcCalls grpc = new GrpcCalls(api.grpcPort())) {
      ModelInferResponse answer = grpc.infer(request.build());
      assertEquals(
          HexFormat.of().formatHex(expected.toByteArray()),
          HexFormat.of().formatHex(answer.toByteArray()),
          answer.toString());
    }
  }

  private static final String BINARY_HEADER = "inference-header-content-length";

  /** POSTs {@code json} then {@code raw}, with the JSON's length header when {@code binary}. */
  private static RawHttp.Response post(String json, boolean binary, byte[] raw) throws Exception {
    byte[] body = concat(ascii(json), raw);
    RawHttp.Response r =
        RawHttp.exchange(
            api.httpPort(),
            concat(
                ascii(
                    "POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + body.length
                        + (binary
                            ? "\r\nInference-Header-Content-Length: " + json.length()
                            : "\r\nContent-Type: application/json")
                        + "\r\n\r\n"),
                body));
    assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
    return r;
  }
}
