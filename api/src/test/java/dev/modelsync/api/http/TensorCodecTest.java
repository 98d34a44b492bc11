package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.TensorInfo;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The JSON tensor reader's checks, at their boundaries, with the exact 400 messages. */
class TensorCodecTest {
  private static JsonNode json(String text) {
    return TensorCodec.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Object read(DataType type, String values, int n) {
    return TensorCodec.readData("x", type, json("{\"v\":" + values + "}").get("v"), n);
  }

  private static String message(Executable call) {
    ApiError e = assertThrows(ApiError.class, call);
    assertEquals(400, e.status());
    return e.getMessage();
  }

  @Test
  @DisplayName("a body that is not JSON is a 400 quoting the parser's first line")
  void notJson() {
    String m = message(() -> json("{\"a\":}"));
    assertEquals(
        "the request body is not valid JSON: Unexpected character ('}' (code 125)): expected a"
            + " value",
        m);
  }

  @Test
  @DisplayName(
      "an empty tensor (a zero dimension) passes the size check; exactly a body's worth too")
  void sizeBoundaries() {
    assertDoesNotThrow(() -> TensorCodec.checkSize("x", DataType.FP32, new long[] {0, 4}, 0, 0, 0));
    assertDoesNotThrow(
        () -> TensorCodec.checkSize("x", DataType.INT8, new long[] {10}, 10, 10, 80));
    assertEquals(
        "input 'x' has shape [11] of 11 values, more than the request body of 10 bytes holds",
        message(() -> TensorCodec.checkSize("x", DataType.INT8, new long[] {11}, 11, 10, 88)));
    assertEquals(
        "input 'x' has shape [11]: 11 values, over the limit of 87 bytes per tensor"
            + " (MODELSYNC_MAX_TENSOR_BYTES)",
        message(() -> TensorCodec.checkSize("x", DataType.INT8, new long[] {11}, 11, 100, 87)));
  }

  @Test
  @DisplayName("an unknown input is named with the model's inputs listed")
  void unknownInput() {
    List<TensorInfo> sig =
        List.of(
            new TensorInfo("a", "FP32", new long[] {1}),
            new TensorInfo("b", "FP32", new long[] {1}));
    assertEquals(
        "unknown input 'z'; the model's inputs are [a, b]",
        message(() -> TensorCodec.input(sig, "z")));
  }

  @Test
  @DisplayName("a model dimension of 0 is fixed, not free: a request of 3 there is refused")
  void zeroDimensionIsFixed() {
    TensorInfo info = new TensorInfo("x", "FP32", new long[] {0});
    assertEquals(
        "input 'x' has shape [3] but the model expects [0] (-1 = any size)",
        message(() -> TensorCodec.checkShape(info, new long[] {3})));
    assertDoesNotThrow(() -> TensorCodec.checkShape(info, new long[] {0}));
  }

  @Test
  @DisplayName("too many values are counted, not written past the end")
  void tooMany() {
    assertEquals(
        "input 'x' has 4 values but its shape needs 2",
        message(() -> read(DataType.FP32, "[1,2,3,4]", 2)));
  }

  @Test
  @DisplayName("integer types read integers in range, UINT64 up to 2^64 - 1, and refuse the rest")
  void integers() {
    assertArrayEquals(
        new int[] {-2147483648, 7}, (int[]) read(DataType.INT32, "[-2147483648,7]", 2));
    assertArrayEquals(
        new long[] {-1, 0}, (long[]) read(DataType.UINT64, "[18446744073709551615,0]", 2));
    assertEquals(
        "input 'x' value 18446744073709551616 at 0 does not fit UINT64",
        message(() -> read(DataType.UINT64, "[18446744073709551616]", 1)));
    assertEquals(
        "input 'x' value 9223372036854775808 at 1 does not fit INT64",
        message(() -> read(DataType.INT64, "[0,9223372036854775808]", 2)));
    assertEquals(
        "input 'x' value 256 at 0 does not fit UINT8",
        message(() -> read(DataType.UINT8, "[256]", 1)));
    assertEquals(
        "input 'x' value at 1 is 1.5, not an integer",
        message(() -> read(DataType.INT16, "[1,1.5]", 2)));
  }

  @Test
  @DisplayName("a big integer is stored for UINT64 when it is 0 to 2^64 - 1, and never for others")
  void bigIntegers() {
    long[] out = new long[2];
    TensorCodec.setBig("x", DataType.UINT64, out, 0, BigInteger.ZERO);
    TensorCodec.setBig(
        "x", DataType.UINT64, out, 1, BigInteger.TWO.pow(64).subtract(BigInteger.ONE));
    assertArrayEquals(new long[] {0, -1}, out);
    assertEquals(
        "input 'x' value -1 at 0 does not fit UINT64",
        message(() -> TensorCodec.setBig("x", DataType.UINT64, out, 0, BigInteger.ONE.negate())));
    assertEquals(
        "input 'x' value 5 at 0 does not fit INT64",
        message(() -> TensorCodec.setBig("x", DataType.INT64, out, 0, BigInteger.valueOf(5))));
  }

  @Test
  @DisplayName("BOOL takes true and false only; BYTES takes strings only")
  void boolsAndStrings() {
    assertArrayEquals(
        new boolean[] {true, false}, (boolean[]) read(DataType.BOOL, "[true,false]", 2));
    assertEquals(
        "input 'x' value at 0 is 1, not true or false",
        message(() -> read(DataType.BOOL, "[1]", 1)));
    assertArrayEquals(new String[] {"a", "é"}, (String[]) read(DataType.BYTES, "[\"a\",\"é\"]", 2));
    assertEquals(
        "input 'x' value at 0 is 1, not a string", message(() -> read(DataType.BYTES, "[1]", 1)));
  }
}
