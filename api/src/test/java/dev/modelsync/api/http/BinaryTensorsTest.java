package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The binary tensor extension's framing and the answer's JSON text, byte for byte. */
class BinaryTensorsTest {
  static final List<TensorInfo> IN = List.of(new TensorInfo("input", "FP32", new long[] {-1, 2}));
  static final List<TensorInfo> OUT =
      List.of(
          new TensorInfo("a", "FP32", new long[] {-1}),
          new TensorInfo("b", "INT64", new long[] {-1}));
  static final String ONE_TWO = "0000803f00000040";

  private static byte[] body(String json, String hex) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(HexFormat.of().parseHex(hex));
    return out.toByteArray();
  }

  private static KServeCodec.InferRequest parse(String json, String hex) {
    return KServeCodec.parseInfer(body(json, hex), String.valueOf(json.length()), IN, OUT, 1 << 20);
  }

  private static String error(String json, String hex) {
    ApiError e = assertThrows(ApiError.class, () -> parse(json, hex));
    assertEquals(400, e.status());
    return e.getMessage();
  }

  private static String binaryInput(String parameters) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"parameters\":"
        + parameters
        + "}]}";
  }

  @Test
  @DisplayName("the header's JSON length: from 1 to the body's length, trimmed; else a 400")
  void jsonLength() {
    assertEquals(20, BinaryTensors.jsonLength(null, 20));
    assertEquals(10, BinaryTensors.jsonLength(" 10 ", 20));
    assertEquals(20, BinaryTensors.jsonLength("20", 20));
    assertEquals(1, BinaryTensors.jsonLength("1", 20));
    for (String bad : new String[] {"0", "21", "-1", "x"}) {
      ApiError e = assertThrows(ApiError.class, () -> BinaryTensors.jsonLength(bad, 20));
      assertEquals(
          "Inference-Header-Content-Length is '"
              + bad
              + "'; it must be the length of the JSON header, from 1 to the body's 20 bytes",
          e.getMessage());
    }
  }

  @Test
  @DisplayName("binary inputs are read in order; sizes that do not fit or are left over are 400s")
  void inputs() {
    var request = parse(binaryInput("{\"binary_data_size\":8}"), ONE_TWO);
    assertArrayEquals(new float[] {1f, 2f}, (float[]) request.inputs().get(0).data());
    assertEquals(
        "1 bytes of binary data follow the JSON header that no input's binary_data_size claims",
        error(binaryInput("{\"binary_data_size\":8}"), ONE_TWO + "00"));
    assertEquals(
        "input 'input' has binary_data_size 9 but only 8 bytes of binary data are left in the body",
        error(binaryInput("{\"binary_data_size\":9}"), ONE_TWO));
    assertEquals(
        "input 'input' binary_data_size must be an integer 0 or more, not -1",
        error(binaryInput("{\"binary_data_size\":-1}"), ONE_TWO));
    assertEquals(
        "input 'input' binary_data_size must be an integer 0 or more, not \"8\"",
        error(binaryInput("{\"binary_data_size\":\"8\"}"), ONE_TWO));
    assertEquals(
        "input 'input' has no 'data'", error(binaryInput("{\"binary_data_size\":null}"), ""));
    assertTrue(
        error(binaryInput("{\"binary_data_size\":4}"), "00008040")
            .startsWith("input 'input' has 4 bytes of FP32 data but its shape [1, 2] needs 8"));
    assertEquals(
        "input 'input' has both 'data' and binary_data_size",
        error(
            "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":8},\"data\":[1,2]}]}",
            ONE_TWO));
  }

  @Test
  @DisplayName("binary outputs: per output, or all with binary_data_output; flags must be booleans")
  void outputs() {
    String in =
        "\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]";
    var all = parse("{" + in + ",\"parameters\":{\"binary_data_output\":true}}", "").binary();
    assertTrue(all.binary("a"));
    assertTrue(all.binary("b"));
    var one =
        parse(
                "{"
                    + in
                    + ",\"parameters\":{\"binary_data_output\":true},\"outputs\":[{\"name\":\"a\","
                    + "\"parameters\":{\"binary_data\":false}},{\"name\":\"b\"}]}",
                "")
            .binary();
    assertFalse(one.binary("a"));
    assertTrue(one.binary("b"));
    var none =
        parse(
                "{" + in + ",\"outputs\":[{\"name\":\"b\",\"parameters\":{\"binary_data\":true}}]}",
                "")
            .binary();
    assertFalse(none.binary("a"));
    assertTrue(none.binary("b"));
    assertEquals(
        "the request's parameter 'binary_data_output' must be true or false",
        error("{" + in + ",\"parameters\":{\"binary_data_output\":1}}", ""));
    assertEquals(
        "output 'a' parameter 'binary_data' must be true or false",
        error(
            "{" + in + ",\"outputs\":[{\"name\":\"a\",\"parameters\":{\"binary_data\":\"y\"}}]}",
            ""));
  }

  @Test
  @DisplayName("the answer: JSON then each binary output's bytes in order; all JSON when none is")
  void answer() {
    List<Tensor> outputs =
        List.of(
            new Tensor("a", DataType.FP32, new long[] {2}, new float[] {1f, 2f}),
            new Tensor("b", DataType.INT64, new long[] {1}, new long[] {7}));
    var both =
        KServeCodec.writeInfer("m", 3, null, outputs, new BinaryTensors.Outputs(true, Map.of()));
    String json =
        "{\"model_name\":\"m\",\"model_version\":\"3\",\"outputs\":[{\"name\":\"a\",\"datatype\":"
            + "\"FP32\",\"shape\":[2],\"parameters\":{\"binary_data_size\":8}},{\"name\":\"b\","
            + "\"datatype\":\"INT64\",\"shape\":[1],\"parameters\":{\"binary_data_size\":8}}]}";
    assertEquals(json.length(), both.jsonLength());
    assertArrayEquals(body(json, ONE_TWO + "0700000000000000"), both.body());

    var onlyB =
        KServeCodec.writeInfer(
            "m", 3, null, outputs, new BinaryTensors.Outputs(false, Map.of("b", true)));
    String head =
        "{\"model_name\":\"m\",\"model_version\":\"3\",\"outputs\":[{\"name\":\"a\",\"datatype\":"
            + "\"FP32\",\"shape\":[2],\"data\":[1.0,2.0]},{\"name\":\"b\",\"datatype\":\"INT64\","
            + "\"shape\":[1],\"parameters\":{\"binary_data_size\":8}}]}";
    assertEquals(head.length(), onlyB.jsonLength());
    assertArrayEquals(body(head, "0700000000000000"), onlyB.body());

    var asJson =
        KServeCodec.writeInfer(
            "m", 3, null, outputs, new BinaryTensors.Outputs(true, Map.of("a", false, "b", false)));
    assertEquals(-1, asJson.jsonLength());
    assertFalse(new BinaryTensors.Outputs(false, Map.of("a", false)).any(outputs));
    assertTrue(new BinaryTensors.Outputs(false, Map.of("b", true)).any(outputs));
  }

  @Test
  @DisplayName(
      "JSON text: strings escaped only where needed (quotes, backslash, control, non-ASCII),"
          + " non-finite floats as strings, every datatype's values")
  void jsonText() {
    List<Tensor> outputs =
        List.of(
            new Tensor(
                "s",
                DataType.BYTES,
                new long[] {5},
                new String[] {"a b~", "\"", "\\", "\u001f", "é"}),
            new Tensor("f", DataType.FP32, new long[] {2}, new float[] {Float.NaN, 0.5f}),
            new Tensor(
                "d", DataType.FP64, new long[] {2}, new double[] {Double.NEGATIVE_INFINITY, 0.25}),
            new Tensor("i", DataType.INT32, new long[] {1}, new int[] {-3}),
            new Tensor("o", DataType.BOOL, new long[] {1}, new boolean[] {true}),
            new Tensor("h", DataType.FP16, new long[] {1}, new short[] {(short) 0x3c00}),
            new Tensor("u", DataType.UINT8, new long[] {1}, new byte[] {(byte) 255}));
    String answer =
        new String(KServeCodec.writeInfer("m\"", 1, "i\n", outputs), StandardCharsets.UTF_8);
    assertEquals(
        "{\"model_name\":\"m\\\"\",\"model_version\":\"1\",\"id\":\"i\\n\",\"outputs\":["
            + "{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[5],\"data\":[\"a b~\",\"\\\"\","
            + "\"\\\\\",\"\\u001F\",\"é\"]},"
            + "{\"name\":\"f\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[\"NaN\",0.5]},"
            + "{\"name\":\"d\",\"datatype\":\"FP64\",\"shape\":[2],\"data\":[\"-Infinity\",0.25]},"
            + "{\"name\":\"i\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[-3]},"
            + "{\"name\":\"o\",\"datatype\":\"BOOL\",\"shape\":[1],\"data\":[true]},"
            + "{\"name\":\"h\",\"datatype\":\"FP16\",\"shape\":[1],\"data\":[1.0]},"
            + "{\"name\":\"u\",\"datatype\":\"UINT8\",\"shape\":[1],\"data\":[255]}]}",
        answer);
  }

  @Test
  @DisplayName("a binary input of 0 bytes is an empty tensor; a flag absent is null, not false")
  void zeroBytesAndAbsentFlag() {
    var request =
        parse(
            "{\"inputs\":[{\"name\":\"input\",\"shape\":[0,2],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":0}}]}",
            "");
    assertEquals(0, request.inputs().get(0).size());
    assertArrayEquals(new long[] {0, 2}, request.inputs().get(0).shape());
    assertEquals(
        0,
        BinaryTensors.binarySize(
            "input", TensorCodec.MAPPER.createObjectNode().put("binary_data_size", 0)));
    assertEquals(
        null, BinaryTensors.flag(TensorCodec.MAPPER.createObjectNode(), "binary_data", "x"));
    assertEquals(null, BinaryTensors.flag(null, "binary_data", "x"));
  }
}
