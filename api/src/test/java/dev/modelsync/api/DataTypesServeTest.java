package dev.modelsync.api;

import static dev.modelsync.api.BinaryTensorTest.ascii;
import static dev.modelsync.api.BinaryTensorTest.concat;
import static dev.modelsync.api.ProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.modelsync.api.grpc.oip.InferTensorContents;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import dev.modelsync.events.EventTypes;
import dev.modelsync.onnx.TypedModels;
import dev.modelsync.onnx.TypedModels.Elem;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Models whose tensors are UINT8, INT8, FP16, BF16 and BYTES, loaded through Kafka and warmed up
 * like any other, then served over JSON and binary HTTP (and gRPC for BYTES that are not UTF-8); a
 * UINT32 model fails to load.
 */
@ExtendWith(HarnessExtension.class)
class DataTypesServeTest {
  static Harness h;
  static Api api;

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("image", 1, TypedModels.uint8Image());
    h.save("half", 1, TypedModels.fp16Double());
    h.save("quant", 1, TypedModels.int8Dequantize());
    h.save("bf16", 1, TypedModels.identity(Elem.BF16));
    h.save("text", 1, TypedModels.identity(Elem.BYTES));
    h.save("u32", 1, TypedModels.identity(Elem.UINT32));
    api = h.startApi(Map.of());
    for (String m : new String[] {"image", "half", "quant", "bf16", "text"}) {
      h.eventually(m + " ready", () -> ready(m));
    }
  }

  private static boolean ready(String model) {
    try {
      return h.get(api, "/v2/models/" + model + "/ready").statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static JsonObject infer(
      String model, String input, String type, String shape, String data) throws Exception {
    String body =
        "{\"inputs\":[{\"name\":\""
            + input
            + "\",\"shape\":"
            + shape
            + ",\"datatype\":\""
            + type
            + "\",\"data\":"
            + data
            + "}]}";
    var r = h.post(api, "/v2/models/" + model + "/infer", body);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("outputs").getJsonObject(0);
  }

  @Test
  @DisplayName("metadata advertises the model's own datatypes")
  void metadata() throws Exception {
    JsonObject image = h.get(api, "/v2/models/image").bodyAsJsonObject();
    assertEquals("UINT8", image.getJsonArray("inputs").getJsonObject(0).getString("datatype"));
    assertEquals(
        new JsonArray("[-1,3,2,2]"),
        image.getJsonArray("inputs").getJsonObject(0).getJsonArray("shape"));
    JsonObject half = h.get(api, "/v2/models/half").bodyAsJsonObject();
    assertEquals("FP16", half.getJsonArray("outputs").getJsonObject(0).getString("datatype"));
  }

  @Test
  @DisplayName("UINT8 pixels in JSON; out of range is a 400")
  void uint8Json() throws Exception {
    JsonObject out = infer("image", "image", "UINT8", "[1,3,2,2]", "[0,0,0,0,0,0,0,0,0,0,51,255]");
    assertEquals("FP32", out.getString("datatype"));
    assertEquals(0.2, out.getJsonArray("data").getDouble(10), 1e-6);
    assertEquals(1.0, out.getJsonArray("data").getDouble(11), 1e-6);
    String bad =
        "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,3,2,2],\"datatype\":\"UINT8\","
            + "\"data\":[0,0,0,0,0,0,0,0,0,0,0,256]}]}";
    assertError(
        h.post(api, "/v2/models/image/infer", bad), 400, "value 256 at 11 does not fit UINT8");
  }

  @Test
  @DisplayName("UINT8 pixels as binary: one byte each on the wire")
  void uint8Binary() throws Exception {
    String json =
        "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,3,2,2],\"datatype\":\"UINT8\","
            + "\"parameters\":{\"binary_data_size\":12}}],"
            + "\"parameters\":{\"binary_data_output\":true}}";
    byte[] body = concat(ascii(json), HexFormat.of().parseHex("0000000000000000000033ff"));
    var r =
        RawHttp.exchange(
            api.httpPort(),
            concat(
                ascii(
                    "POST /v2/models/image/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + body.length
                        + "\r\nInference-Header-Content-Length: "
                        + json.length()
                        + "\r\n\r\n"),
                body));
    assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
    float[] scaled = BinaryTensorTest.asNumpy(r, "scaled");
    assertEquals(12, scaled.length);
    assertEquals(0.2f, scaled[10], 1e-6);
    assertEquals(1f, scaled[11]);
  }

  @Test
  @DisplayName("FP16 in and out of JSON as numbers; INT8 and BF16 too")
  void halvesAndInt8() throws Exception {
    JsonObject out = infer("half", "input", "FP16", "[1,4]", "[1.5,-2,0.25,40000]");
    assertEquals("FP16", out.getString("datatype"));
    assertEquals(new JsonArray("[3.0,-4.0,0.5,\"Infinity\"]"), out.getJsonArray("data"));
    out = infer("quant", "input", "INT8", "[1,4]", "[-128,-1,0,127]");
    assertEquals(new JsonArray("[-64.0,-0.5,0.0,63.5]"), out.getJsonArray("data"));
    assertError(
        h.post(
            api,
            "/v2/models/quant/infer",
            "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT8\","
                + "\"data\":[-129,0,0,0]}]}"),
        400,
        "does not fit INT8");
    out = infer("bf16", "input", "BF16", "[1,4]", "[1,-2,3.140625,0]");
    assertEquals(new JsonArray("[1.0,-2.0,3.140625,0.0]"), out.getJsonArray("data"));
  }

  @Test
  @DisplayName("BYTES as length-prefixed binary elements there and back")
  void bytesBinary() throws Exception {
    String json =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"BYTES\","
            + "\"parameters\":{\"binary_data_size\":23}}],"
            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
    byte[] raw =
        HexFormat.of().parseHex("0100000061" + "00000000" + "02000000c3a9" + "0400000074657874");
    byte[] body = concat(ascii(json), raw);
    var r =
        RawHttp.exchange(
            api.httpPort(),
            concat(
                ascii(
                    "POST /v2/models/text/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + body.length
                        + "\r\nInference-Header-Content-Length: "
                        + json.length()
                        + "\r\n\r\n"),
                body));
    assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
    int header = Integer.parseInt(r.headers().get("inference-header-content-length"));
    String head = new String(r.body(), 0, header, StandardCharsets.UTF_8);
    assertTrue(
        head.contains(
            "\"datatype\":\"BYTES\",\"shape\":[1,4],\"parameters\":{\"binary_data_size\":23}"),
        head);
    byte[] tail = java.util.Arrays.copyOfRange(r.body(), header, r.body().length);
    assertArrayEquals(raw, tail);
  }

  @Test
  @DisplayName(
      "BYTES elements that are not UTF-8 text: binary HTTP and JSON (a lone surrogate) are 400s,"
          + " gRPC raw and typed contents INVALID_ARGUMENT, each naming the input and element")
  void bytesNotUtf8() throws Exception {
    // element 1 is 0xff 0xfe: no UTF-8 sequence starts with either
    byte[] raw = HexFormat.of().parseHex("0100000061" + "02000000fffe" + "0100000062" + "00000000");
    String json =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"BYTES\","
            + "\"parameters\":{\"binary_data_size\":20}}]}";
    byte[] body = concat(ascii(json), raw);
    var r =
        RawHttp.exchange(
            api.httpPort(),
            concat(
                ascii(
                    "POST /v2/models/text/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + body.length
                        + "\r\nInference-Header-Content-Length: "
                        + json.length()
                        + "\r\n\r\n"),
                body));
    assertEquals(400, r.status());
    assertEquals(
        "{\"error\":\"input 'input' BYTES element 1 is not UTF-8 text, which is all this server"
            + " holds in BYTES tensors\"}",
        new String(r.body(), StandardCharsets.UTF_8));

    var lone =
        h.post(
            api,
            "/v2/models/text/infer",
            "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"BYTES\","
                + "\"data\":[\"a\",\"b\\ud800c\",\"d\",\"\"]}]}");
    assertEquals(400, lone.statusCode());
    assertEquals(
        "{\"error\":\"input 'input' value at 1 is not UTF-8 text: it holds a lone surrogate"
            + " \\\\ud800 at character 1; BYTES values are carried as UTF-8 text\"}",
        lone.bodyAsString());

    // raw bytes in a JSON string that are not UTF-8: the body is not JSON (RFC 8259 is UTF-8)
    byte[] notJson =
        concat(
            ascii(
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"BYTES\","
                    + "\"data\":[\"a\",\""),
            new byte[] {(byte) 0xff},
            ascii("\",\"c\",\"d\"]}]}"));
    var invalid =
        RawHttp.exchange(
            api.httpPort(),
            concat(
                ascii(
                    "POST /v2/models/text/infer HTTP/1.1\r\nHost: x\r\nContent-Type:"
                        + " application/json\r\nContent-Length: "
                        + notJson.length
                        + "\r\n\r\n"),
                notJson));
    assertEquals(400, invalid.status());
    String error = new String(invalid.body(), StandardCharsets.UTF_8);
    assertTrue(
        error.startsWith("{\"error\":\"the request body is not valid JSON: Invalid UTF-8"), error);

    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName("input")
            .setDatatype("BYTES")
            .addShape(1)
            .addShape(4);
    ModelInferRequest rawRequest =
        ModelInferRequest.newBuilder()
            .setModelName("text")
            .addInputs(input)
            .addRawInputContents(ByteString.copyFrom(raw))
            .build();
    ModelInferRequest typed =
        ModelInferRequest.newBuilder()
            .setModelName("text")
            .addInputs(
                input
                    .clone()
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addBytesContents(ByteString.copyFromUtf8("a"))
                            .addBytesContents(ByteString.copyFrom(new byte[] {(byte) 0xc3}))
                            .addBytesContents(ByteString.copyFromUtf8("b"))
                            .addBytesContents(ByteString.EMPTY)))
            .build();
    String utf8 = "0100000061" + "02000000c3a9" + "0100000062" + "00000000";
    try (GrpcCalls grpc = new GrpcCalls(api.grpcPort())) {
      for (ModelInferRequest request : new ModelInferRequest[] {rawRequest, typed}) {
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> grpc.infer(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertEquals(
            "input 'input' BYTES element 1 is not UTF-8 text, which is all this server holds in"
                + " BYTES tensors",
            e.getStatus().getDescription());
      }
      ModelInferResponse ok =
          grpc.infer(
              ModelInferRequest.newBuilder()
                  .setModelName("text")
                  .addInputs(input)
                  .addRawInputContents(ByteString.copyFrom(HexFormat.of().parseHex(utf8)))
                  .build());
      assertEquals(
          utf8,
          HexFormat.of().formatHex(ok.getRawOutputContents(0).toByteArray()),
          "UTF-8 text still answers");
    }
  }

  @Test
  @DisplayName("a UINT32 model fails to load with the reason, and is never advertised")
  void uint32Refused() throws Exception {
    var failed =
        h.awaitStatus(
            "load_failed of u32",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("u32"));
    assertTrue(failed.reason().contains("datatype UINT32"), failed.reason());
    assertTrue(failed.reason().contains("cannot exchange"), failed.reason());
    assertEquals(404, h.get(api, "/v2/models/u32").statusCode());
  }
}
