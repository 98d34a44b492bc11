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

class TfServingCodecTest {
  static final List<TensorInfo> IN = List.of(new TensorInfo("input", "FP32", new long[] {-1, 4}));

  static TfServingCodec.PredictRequest parse(String json) {
    return TfServingCodec.parse(json.getBytes(StandardCharsets.UTF_8), IN);
  }

  @Test
  @DisplayName("instances are rows, inputs are columns; named or bare")
  void rowsAndColumns() {
    float[] expected = {1, 2, 3, 4, 5, 6, 7, 8};
    for (String body :
        List.of(
            "{\"instances\":[[1,2,3,4],[5,6,7,8]]}",
            "{\"instances\":[{\"input\":[1,2,3,4]},{\"input\":[5,6,7,8]}]}",
            "{\"inputs\":[[1,2,3,4],[5,6,7,8]]}",
            "{\"inputs\":{\"input\":[[1,2,3,4],[5,6,7,8]]}}")) {
      Tensor t = parse(body).inputs().get(0);
      assertArrayEquals(new long[] {2, 4}, t.shape(), body);
      assertArrayEquals(expected, (float[]) t.data(), body);
    }
    assertTrue(parse("{\"instances\":[[1,2,3,4]]}").rows());
  }

  @Test
  @DisplayName("predictions are one entry per row; outputs keep the tensor's nesting")
  void writes() {
    Tensor out =
        new Tensor("output", DataType.FP32, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    assertEquals(
        "{\"predictions\":[[1.0,2.0,3.0],[4.0,5.0,6.0]]}",
        new String(TfServingCodec.write(true, List.of(out)), StandardCharsets.UTF_8));
    assertEquals(
        "{\"outputs\":[[1.0,2.0,3.0],[4.0,5.0,6.0]]}",
        new String(TfServingCodec.write(false, List.of(out)), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("bad bodies are 400s that say what is wrong")
  void errors() {
    assertTrue(message("{}").contains("exactly one of"));
    assertTrue(message("{\"instances\":[[1,2,3]]}").contains("model expects"));
    assertTrue(message("{\"instances\":[[1,2,3,4],[5,6,7]]}").contains("values"));
    assertTrue(message("{\"instances\":[{\"x\":[1,2,3,4]}]}").contains("'input'"));
    assertTrue(
        message("{\"inputs\":{\"input\":[[1,2,3,4]],\"x\":1}}").contains("unknown input 'x'"));
  }

  private static String message(String body) {
    ApiError e = assertThrows(ApiError.class, () -> parse(body));
    assertEquals(400, e.status());
    return e.getMessage();
  }

  private static String write(boolean rows, Tensor... outputs) {
    return new String(TfServingCodec.write(rows, List.of(outputs)), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("several outputs: a row is an object by output name; columns are one object")
  void writesSeveralOutputs() {
    Tensor a = new Tensor("a", DataType.INT64, new long[] {2}, new long[] {1, -2});
    Tensor b = new Tensor("b", DataType.BOOL, new long[] {2, 1}, new boolean[] {true, false});
    assertEquals(
        "{\"predictions\":[{\"a\":1,\"b\":[true]},{\"a\":-2,\"b\":[false]}]}", write(true, a, b));
    assertEquals("{\"outputs\":{\"a\":[1,-2],\"b\":[[true],[false]]}}", write(false, a, b));
  }

  @Test
  @DisplayName("each datatype is written as its JSON number, boolean or string")
  void writesEachType() {
    assertEquals(
        "{\"outputs\":[0.5,-2.0]}",
        write(false, new Tensor("o", DataType.FP64, new long[] {2}, new double[] {0.5, -2})));
    assertEquals(
        "{\"outputs\":[1.0,-2.0]}",
        write(
            false,
            new Tensor("o", DataType.FP16, new long[] {2}, new short[] {0x3C00, (short) 0xC000})));
    assertEquals(
        "{\"outputs\":[1.0]}",
        write(false, new Tensor("o", DataType.BF16, new long[] {1}, new short[] {0x3F80})));
    assertEquals(
        "{\"outputs\":[\"é\",\"\"]}",
        write(false, new Tensor("o", DataType.BYTES, new long[] {2}, new String[] {"é", ""})));
    assertEquals(
        "{\"outputs\":[-2147483648]}",
        write(
            false, new Tensor("o", DataType.INT32, new long[] {1}, new int[] {Integer.MIN_VALUE})));
    assertEquals(
        "{\"outputs\":[255]}",
        write(false, new Tensor("o", DataType.UINT8, new long[] {1}, new byte[] {-1})));
    assertEquals(
        "{\"outputs\":[4294967295]}",
        write(false, new Tensor("o", DataType.UINT32, new long[] {1}, new int[] {-1})));
  }

  @Test
  @DisplayName("an instance object with a field the model lacks is refused, naming it")
  void unknownFieldInInstance() {
    assertEquals(
        "unknown input 'zz'; the model's inputs are [input]",
        message("{\"instances\":[{\"input\":[1,2,3,4],\"zz\":2}]}"));
  }

  @Test
  @DisplayName("an unknown signature_name is quoted whole up to 80 characters, then cut")
  void signatureNameCut() {
    String name78 = "s".repeat(78);
    assertEquals(
        "unknown signature_name '" + name78 + "'; the model has one signature, 'serving_default'",
        message("{\"signature_name\":\"" + name78 + "\",\"instances\":[[1,2,3,4]]}"));
    String name79 = "s".repeat(79);
    assertEquals(
        "unknown signature_name '" + name79 + "…; the model has one signature, 'serving_default'",
        message("{\"signature_name\":\"" + name79 + "\",\"instances\":[[1,2,3,4]]}"));
  }

  @Test
  @DisplayName("model status is one AVAILABLE entry per version, as TF Serving's")
  void status() {
    assertEquals(
        "{\"model_version_status\":[{\"version\":\"3\",\"state\":\"AVAILABLE\","
            + "\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]}",
        TfServingCodec.status(List.of(3L)).encode());
  }
}
