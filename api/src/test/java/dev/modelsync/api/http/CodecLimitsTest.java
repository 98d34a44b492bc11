package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Issue 9: the decoders refuse huge, overflowing and deeply nested requests before allocating. */
class CodecLimitsTest {
  static final List<TensorInfo> ANY = List.of(new TensorInfo("input", "FP32", new long[] {-1, -1}));
  static final List<TensorInfo> OUT = List.of(new TensorInfo("output", "FP32", new long[] {-1}));

  static String kserve(String shape, String data) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":"
        + shape
        + ",\"datatype\":\"FP32\",\"data\":"
        + data
        + "}]}";
  }

  static String refused(Executable parse) {
    ApiError e = assertThrows(ApiError.class, parse);
    assertEquals(400, e.status());
    return e.getMessage();
  }

  static String kserveError(String json, long maxTensorBytes) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return refused(() -> KServeCodec.parseInfer(body, ANY, OUT, maxTensorBytes));
  }

  @Test
  @DisplayName("a billion-element shape without data is a 400, whether data comes first or last")
  void billionElements() {
    assertTrue(kserveError(kserve("[1000000000,1]", "[]"), 64 << 20).contains("over the limit"));
    String dataFirst =
        "{\"inputs\":[{\"data\":[],\"name\":\"input\",\"datatype\":\"FP32\","
            + "\"shape\":[1000000000,1]}]}";
    assertTrue(kserveError(dataFirst, 64 << 20).contains("MODELSYNC_MAX_TENSOR_BYTES"));
  }

  @Test
  @DisplayName("under the byte limit, more elements than the body could hold is a 400 too")
  void moreThanTheBody() {
    assertTrue(kserveError(kserve("[100,10]", "[1]"), 1 << 30).contains("request body of"));
  }

  @Test
  @DisplayName("shape × datatype bytes over the configured limit is a 400; at the limit it parses")
  void byteLimit() {
    String ok = kserve("[2,2]", "[1,2,3,4]");
    assertEquals(
        4,
        KServeCodec.parseInfer(ok.getBytes(StandardCharsets.UTF_8), ANY, OUT, 32)
            .inputs()
            .get(0)
            .size());
    assertTrue(kserveError(ok, 31).contains("over the limit of 31 bytes"));
  }

  @Test
  @DisplayName("negative, fractional, huge and overflowing dimensions are 400s")
  void badDimensions() {
    for (String shape :
        List.of(
            "[-1,1]",
            "[1.5,1]",
            "[\"1\",1]",
            "[99999999999999999999999,1]",
            "[9223372036854775807,1]",
            "[4611686018427387904,4]",
            "[0,4611686018427387904]",
            "[65536,65536]")) {
      String m = kserveError(kserve(shape, "[]"), 64 << 20);
      assertTrue(m.contains("shape"), shape + ": " + m);
    }
  }

  @Test
  @DisplayName("an element count that overflows a long is not mistaken for an empty tensor")
  void elementCountOverflow() {
    assertEquals(-1, Tensor.elementCount(new long[] {4, 1L << 62}));
    assertEquals(-1, Tensor.elementCount(new long[] {0, 1L << 40}));
    assertEquals(0, Tensor.elementCount(new long[] {0, 4}));
    assertEquals(6, Tensor.elementCount(new long[] {2, 3}));
  }

  @Test
  @DisplayName("JSON nested deeper than the limit is a 400 naming the limit, in both protocols")
  void depth() {
    String deep = "[".repeat(TensorCodec.MAX_DEPTH + 5) + "]".repeat(TensorCodec.MAX_DEPTH + 5);
    assertTrue(kserveError(kserve("[1,1]", deep), 64 << 20).contains("deeper than"));
    assertTrue(kserveError("{\"x\":" + deep + "}", 64 << 20).contains("deeper than"));
    byte[] tf = ("{\"instances\":" + deep + "}").getBytes(StandardCharsets.UTF_8);
    assertTrue(refused(() -> TfServingCodec.parse(tf, ANY, 64 << 20)).contains("deeper than"));
  }

  @Test
  @DisplayName("TF Serving bodies are held to the tensor byte limit as well")
  void tfByteLimit() {
    byte[] rows = "{\"instances\":[[1,2],[3,4]]}".getBytes(StandardCharsets.UTF_8);
    assertEquals(4, TfServingCodec.parse(rows, ANY, 32).inputs().get(0).size());
    assertTrue(refused(() -> TfServingCodec.parse(rows, ANY, 31)).contains("over the limit"));
  }
}
