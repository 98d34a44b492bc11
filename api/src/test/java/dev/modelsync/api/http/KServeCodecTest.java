package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KServeCodecTest {
  static final List<TensorInfo> IN = List.of(new TensorInfo("input", "FP32", new long[] {-1, 4}));
  static final List<TensorInfo> OUT = List.of(new TensorInfo("output", "FP32", new long[] {-1, 3}));

  static KServeCodec.InferRequest parse(String json, List<TensorInfo> in) {
    return KServeCodec.parseInfer(json.getBytes(StandardCharsets.UTF_8), in, OUT);
  }

  static String error(String json, List<TensorInfo> in) {
    ApiError e = assertThrows(ApiError.class, () -> parse(json, in));
    assertEquals(400, e.status());
    return e.getMessage();
  }

  static String input(String shape, String datatype, String data) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":"
        + shape
        + ",\"datatype\":\""
        + datatype
        + "\",\"data\":"
        + data
        + "}]}";
  }

  @Test
  @DisplayName("flat and nested data read into the same float array; id and outputs kept")
  void flatAndNested() {
    var flat = parse(input("[2,4]", "FP32", "[1,2,3,4,5,6,7,8]"), IN);
    var nested =
        parse(
            "{\"id\":\"r1\",\"parameters\":{\"x\":1},\"outputs\":[{\"name\":\"output\"}],"
                + "\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\","
                + "\"data\":[[1,2,3,4],[5,6,7,8]],\"parameters\":{}}]}",
            IN);
    float[] expected = {1, 2, 3, 4, 5, 6, 7, 8};
    assertArrayEquals(expected, (float[]) flat.inputs().get(0).data());
    assertArrayEquals(expected, (float[]) nested.inputs().get(0).data());
    assertArrayEquals(new long[] {2, 4}, nested.inputs().get(0).shape());
    assertEquals("r1", nested.id());
    assertEquals(List.of("output"), nested.outputs());
  }

  @Test
  @DisplayName("data given before shape and datatype reads the same")
  void dataFirst() {
    var t =
        parse(
                "{\"inputs\":[{\"data\":[[1,2,3,4]],\"name\":\"input\",\"datatype\":\"FP32\","
                    + "\"shape\":[1,4]}]}",
                IN)
            .inputs()
            .get(0);
    assertArrayEquals(new float[] {1, 2, 3, 4}, (float[]) t.data());
  }

  @Test
  @DisplayName("every datatype reads into its primitive array")
  void datatypes() {
    for (String[] c :
        new String[][] {
          {"FP64", "[1.5,2,3,4]"},
          {"INT32", "[1,2,3,-4]"},
          {"INT64", "[1,2,3,9007199254740993]"},
          {"BOOL", "[true,false,true,true]"},
          {"BYTES", "[\"a\",\"b\",\"c\",\"d\"]"}
        }) {
      var in = List.of(new TensorInfo("input", c[0], new long[] {1, 4}));
      Tensor t = parse(input("[1,4]", c[0], c[1]), in).inputs().get(0);
      assertEquals(DataType.valueOf(c[0]), t.type());
      assertEquals(4, t.size());
    }
    var in = List.of(new TensorInfo("input", "INT64", new long[] {1, 4}));
    long[] longs =
        (long[])
            parse(input("[1,4]", "INT64", "[1,2,3,9007199254740993]"), in).inputs().get(0).data();
    assertEquals(9007199254740993L, longs[3]);
  }

  @Test
  @DisplayName("each client mistake is a 400 saying what is wrong")
  void errors() {
    assertTrue(error("{nope", IN).contains("not valid JSON"));
    assertTrue(error("[1]", IN).contains("JSON object"));
    assertTrue(error("{}", IN).contains("'inputs'"));
    assertTrue(
        error(input("[1,4]", "FP32", "[1,2,3,4]").replace("\"input\"", "\"x\""), IN)
            .contains("unknown input 'x'"));
    assertTrue(error(input("[1,4]", "FP12", "[1,2,3,4]"), IN).contains("the datatypes are"));
    assertTrue(error(input("[1,4]", "FP16", "[1,2,3,4]"), IN).contains("expects FP32"));
    assertTrue(error(input("[1,4]", "INT32", "[1,2,3,4]"), IN).contains("expects FP32"));
    assertTrue(error(input("[1,4]", "FP32", "[1,2,3]"), IN).contains("3 values"));
    assertTrue(error(input("[1,4]", "FP32", "[1,2,3,4,5]"), IN).contains("5 values"));
    assertTrue(error(input("[1,5]", "FP32", "[1,2,3,4,5]"), IN).contains("model expects [-1, 4]"));
    assertTrue(error(input("[4]", "FP32", "[1,2,3,4]"), IN).contains("model expects"));
    assertTrue(error(input("[1,4]", "FP32", "[1,2,\"x\",4]"), IN).contains("not a number"));
    assertTrue(error(input("[1,-4]", "FP32", "[1,2,3,4]"), IN).contains("dimensions"));
    assertTrue(
        error(
                input("[1,4]", "FP32", "[1,2,3,4]")
                    .replace("}]}", "}],\"outputs\":[{\"name\":\"y\"}]}"),
                IN)
            .contains("unknown output 'y'"));
    var ints = List.of(new TensorInfo("input", "INT32", new long[] {1, 4}));
    assertTrue(error(input("[1,4]", "INT32", "[1,2,3.5,4]"), ints).contains("not an integer"));
    assertTrue(error(input("[1,4]", "INT32", "[1,2,3,4294967296]"), ints).contains("INT32"));
    var two =
        List.of(
            new TensorInfo("input", "FP32", new long[] {-1, 4}),
            new TensorInfo("mask", "BOOL", new long[] {-1}));
    assertTrue(error(input("[1,4]", "FP32", "[1,2,3,4]"), two).contains("'mask' is missing"));
  }

  @Test
  @DisplayName("the answer names the model and version, echoes the id and writes flat data")
  void writes() {
    byte[] json =
        KServeCodec.writeInfer(
            "iris",
            3,
            "r1",
            List.of(
                new Tensor("output", DataType.FP32, new long[] {1, 3}, new float[] {1, 2.5f, 3})));
    assertEquals(
        "{\"model_name\":\"iris\",\"model_version\":\"3\",\"id\":\"r1\",\"outputs\":[{\"name\":"
            + "\"output\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1.0,2.5,3.0]}]}",
        new String(json, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("'data' streams in whichever field comes last; every order reads the same tensor")
  void fieldOrders() {
    String name = "\"name\":\"input\"";
    String type = "\"datatype\":\"FP32\"";
    String shape = "\"shape\":[1,4]";
    String data = "\"data\":[1,2,3,4]";
    for (String[] order :
        new String[][] {
          {name, type, shape, data},
          {type, shape, data, name},
          {name, shape, data, type},
          {name, type, data, shape}
        }) {
      String body = "{\"inputs\":[{" + String.join(",", order) + "}]}";
      Tensor t = parse(body, IN).inputs().get(0);
      assertArrayEquals(new float[] {1, 2, 3, 4}, (float[]) t.data(), body);
    }
  }

  @Test
  @DisplayName("a dimension of 0 is a valid, empty tensor; rank above 4 is read whole")
  void shapes() {
    var any = List.of(new TensorInfo("input", "FP32", new long[] {-1, -1, -1, -1, -1}));
    Tensor t = parse(input("[1,1,1,1,2]", "FP32", "[[[[[1,2]]]]]"), any).inputs().get(0);
    assertArrayEquals(new long[] {1, 1, 1, 1, 2}, t.shape());
    assertArrayEquals(new float[] {1, 2}, (float[]) t.data());
    Tensor empty = parse(input("[0,4]", "FP32", "[]"), IN).inputs().get(0);
    assertArrayEquals(new long[] {0, 4}, empty.shape());
    assertEquals(0, empty.size());
  }

  @Test
  @DisplayName("the parser's own words follow 'not valid JSON'")
  void parserMessage() {
    assertEquals(
        "the request body is not valid JSON: Unexpected character ('n' (code 110)): was expecting"
            + " double-quote to start field name",
        error("{nope", IN));
  }

  @Test
  @DisplayName("streamed values of each type: FP64, FP16, BF16, UINT64 past 2^63, BOOL, BYTES")
  void streamedTypes() {
    assertArrayEquals(new double[] {0.1, -2}, (double[]) one("FP64", "[0.1,-2]", 2));
    assertArrayEquals(new short[] {0x3C00, (short) 0xC000}, (short[]) one("FP16", "[1,-2]", 2));
    assertArrayEquals(new short[] {0x3F80}, (short[]) one("BF16", "[1]", 1));
    assertArrayEquals(new long[] {-1, 5}, (long[]) one("UINT64", "[18446744073709551615,5]", 2));
    assertArrayEquals(new boolean[] {false, true}, (boolean[]) one("BOOL", "[false,true]", 2));
    assertArrayEquals(new String[] {"😀", "a"}, (String[]) one("BYTES", "[\"😀\",\"a\"]", 2));
  }

  private static Object one(String type, String data, int n) {
    var in = List.of(new TensorInfo("input", type, new long[] {n}));
    return parse(input("[" + n + "]", type, data), in).inputs().get(0).data();
  }

  @Test
  @DisplayName("a BYTES value with a lone surrogate is refused, naming where; a pair is text")
  void loneSurrogates() {
    assertEquals("a😀", StreamValues.text("s", 0, "a😀"));
    for (String[] c :
        new String[][] {
          {"\ud800", "d800", "0"}, {"a\udc00", "dc00", "1"}, {"\ud800b", "d800", "0"}
        }) {
      ApiError e = assertThrows(ApiError.class, () -> StreamValues.text("s", 3, c[0]));
      assertEquals(
          "input 's' value at 3 is not UTF-8 text: it holds a lone surrogate \\u"
              + c[1]
              + " at character "
              + c[2]
              + "; BYTES values are carried as UTF-8 text",
          e.getMessage());
    }
  }
}
