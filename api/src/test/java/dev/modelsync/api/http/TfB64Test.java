package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** TF Serving's {@code {"b64": ...}} values and {@code signature_name}. */
class TfB64Test {
  static final List<TensorInfo> TEXT = List.of(new TensorInfo("text", "BYTES", new long[] {-1}));
  static final List<TensorInfo> GRID = List.of(new TensorInfo("text", "BYTES", new long[] {-1, 2}));

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static Tensor parse(List<TensorInfo> signature, String json) {
    return TfServingCodec.parse(json.getBytes(StandardCharsets.UTF_8), signature).inputs().get(0);
  }

  @Test
  @DisplayName("b64 values decode to text among plain ones, in rows, columns and nested arrays")
  void decodes() {
    Tensor rows = parse(TEXT, "{\"instances\":[{\"b64\":\"" + b64("ünï") + "\"},\"plain\"]}");
    assertArrayEquals(new String[] {"ünï", "plain"}, (String[]) rows.data());
    assertArrayEquals(new long[] {2}, rows.shape());
    Tensor columns = parse(TEXT, "{\"inputs\":{\"text\":[{\"b64\":\"" + b64("a") + "\"}]}}");
    assertArrayEquals(new String[] {"a"}, (String[]) columns.data());
    Tensor grid =
        parse(
            GRID,
            "{\"instances\":[[\"a\",{\"b64\":\"" + b64("b") + "\"}],[{\"b64\":\"\"},\"d\"]]}");
    assertArrayEquals(new long[] {2, 2}, grid.shape());
    assertArrayEquals(new String[] {"a", "b", "", "d"}, (String[]) grid.data());
    Tensor named = parse(TEXT, "{\"instances\":[{\"text\":{\"b64\":\"" + b64("x") + "\"}}]}");
    assertArrayEquals(new String[] {"x"}, (String[]) named.data());
  }

  @Test
  @DisplayName("bad b64, bytes that are not UTF-8 and another signature_name are 400s saying so")
  void refuses() {
    assertTrue(message(TEXT, "{\"instances\":[\"a\",{\"b64\":\"@@\"}]}").contains("value at 1"));
    assertTrue(message(TEXT, "{\"instances\":[{\"b64\":\"@@\"}]}").contains("not valid base64"));
    assertTrue(message(TEXT, "{\"instances\":[{\"b64\":7}]}").contains("base64 string"));
    String latin1 = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xe9});
    assertTrue(message(TEXT, "{\"instances\":[{\"b64\":\"" + latin1 + "\"}]}").contains("UTF-8"));
    assertTrue(
        message(TEXT, "{\"signature_name\":\"predict\",\"instances\":[\"a\"]}")
            .contains("unknown signature_name 'predict'"));
    assertTrue(
        message(TEXT, "{\"signature_name\":3,\"instances\":[\"a\"]}")
            .contains("unknown signature_name 3"));
    assertEquals(1, parse(TEXT, "{\"signature_name\":\"\",\"instances\":[\"a\"]}").shape()[0]);
    assertEquals(
        1,
        parse(TEXT, "{\"signature_name\":\"serving_default\",\"instances\":[\"a\"]}").shape()[0]);
  }

  private static String message(List<TensorInfo> signature, String body) {
    ApiError e = assertThrows(ApiError.class, () -> parse(signature, body));
    assertEquals(400, e.status());
    return e.getMessage();
  }
}
