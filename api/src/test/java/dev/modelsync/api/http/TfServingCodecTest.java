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
}
