package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RawTensorsTest {
  private static final HexFormat HEX = HexFormat.of();

  private static String hex(Tensor t) {
    return HEX.formatHex(RawTensors.encode(t));
  }

  private static Tensor t(DataType type, Object data) {
    return new Tensor("x", type, new long[] {java.lang.reflect.Array.getLength(data)}, data);
  }

  @Test
  @DisplayName("each datatype is its elements little-endian, back to back, as numpy's tobytes()")
  void littleEndian() {
    assertEquals("0000803f000000c0", hex(t(DataType.FP32, new float[] {1f, -2f})));
    assertEquals("000000000000f03f", hex(t(DataType.FP64, new double[] {1})));
    assertEquals("ffffffff02000000", hex(t(DataType.INT32, new int[] {-1, 2})));
    assertEquals("ffffffff", hex(t(DataType.UINT32, new int[] {-1})));
    assertEquals("0300000000000000", hex(t(DataType.INT64, new long[] {3})));
    assertEquals("ffffffffffffffff", hex(t(DataType.UINT64, new long[] {-1})));
    assertEquals("0180ff", hex(t(DataType.INT8, new byte[] {1, -128, -1})));
    assertEquals("00ff", hex(t(DataType.UINT8, new byte[] {0, (byte) 255})));
    assertEquals("0100ff7f", hex(t(DataType.INT16, new short[] {1, 32767})));
    assertEquals("003c", hex(t(DataType.FP16, new short[] {TensorValues.toHalf(1f)})));
    assertEquals("803f", hex(t(DataType.BF16, new short[] {TensorValues.toBfloat16(1f)})));
    assertEquals("010001", hex(t(DataType.BOOL, new boolean[] {true, false, true})));
  }

  @Test
  @DisplayName(
      "BYTES is a 4-byte little-endian length and the UTF-8 bytes per element, as Triton's")
  void bytes() {
    Tensor s = t(DataType.BYTES, new String[] {"ab", "", "é"});
    assertEquals("020000006162" + "00000000" + "02000000c3a9", hex(s));
    assertEquals(16, RawTensors.size(s));
    Tensor back = RawTensors.decode("x", DataType.BYTES, new long[] {3}, RawTensors.encode(s));
    assertArrayEquals((String[]) s.data(), (String[]) back.data());
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  @DisplayName("decode reads back what encode wrote, at an offset inside a larger buffer")
  void roundTrip(DataType type) {
    Tensor in = new Tensor("x", type, new long[] {2, 4}, DataTypesTest.sample(type));
    byte[] raw = RawTensors.encode(in);
    byte[] padded = new byte[raw.length + 10];
    System.arraycopy(raw, 0, padded, 7, raw.length);
    Tensor out = RawTensors.decode("x", type, new long[] {2, 4}, padded, 7, raw.length);
    assertEquals(type, out.type());
    assertArrayEquals(raw, RawTensors.encode(out));
  }

  @Test
  @DisplayName("a size that does not match the shape is refused, naming the tensor and the sizes")
  void mismatch() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RawTensors.decode("input", DataType.FP32, new long[] {1, 4}, new byte[12]));
    assertEquals(
        "input 'input' has 12 bytes of FP32 data but its shape [1, 4] needs 16", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RawTensors.decode("s", DataType.BYTES, new long[] {1}, new byte[] {9, 0, 0, 0, 1}));
    assertTrue(e.getMessage().contains("claims 9 bytes"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RawTensors.decode("s", DataType.BYTES, new long[] {1}, new byte[] {0, 0, 0, 0, 1}));
    assertTrue(e.getMessage().contains("1 bytes after"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RawTensors.decode("x", DataType.FP32, new long[] {1}, new byte[4], 2, 4));
    assertTrue(e.getMessage().contains("past the end"), e.getMessage());
  }

  @Test
  @DisplayName("FP16 and BF16 convert as IEEE 754 and bfloat16 do, rounding to nearest even")
  void halves() {
    assertEquals(0x3C00, TensorValues.toHalf(1f));
    assertEquals(0x7BFF, TensorValues.toHalf(65504f));
    assertEquals(0x7C00, TensorValues.toHalf(65520f)); // rounds up to infinity
    assertEquals(0x0001, TensorValues.toHalf(0x1p-24f)); // smallest subnormal
    assertEquals(0x2E66, TensorValues.toHalf(0.1f));
    assertEquals((short) 0xFC00, TensorValues.toHalf(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(TensorValues.fromHalf(TensorValues.toHalf(Float.NaN))));
    assertEquals(65504f, TensorValues.fromHalf((short) 0x7BFF));
    assertEquals(0x1p-24f, TensorValues.fromHalf((short) 1));
    assertEquals(0x3F80, TensorValues.toBfloat16(1f));
    assertEquals(0x3F81, TensorValues.toBfloat16(1.0078125f)); // exact
    assertEquals(0x3F80, TensorValues.toBfloat16(1.00390625f)); // tie: to even
    assertEquals(3.140625f, TensorValues.fromBfloat16(TensorValues.toBfloat16(3.14159f)));
  }

  @Test
  @DisplayName("a tensor with a zero dimension is zero bytes, of a numeric type or BYTES")
  void zeroSized() {
    Tensor empty = RawTensors.decode("x", DataType.FP32, new long[] {0, 4}, new byte[0]);
    assertArrayEquals(new long[] {0, 4}, empty.shape());
    assertEquals(0, ((float[]) empty.data()).length);
    assertEquals(0, RawTensors.size(empty));
    Tensor none = RawTensors.decode("s", DataType.BYTES, new long[] {3, 0}, new byte[0]);
    assertEquals(0, ((String[]) none.data()).length);
  }

  @Test
  @DisplayName("a tensor may end exactly at the end of the request; one byte further is refused")
  void endsAtTheEnd() {
    byte[] raw = {9, 9, 9, 0, 0, (byte) 0x80, 0x3f};
    Tensor t = RawTensors.decode("x", DataType.FP32, new long[] {1}, raw, 3, 4);
    assertArrayEquals(new float[] {1f}, (float[]) t.data());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RawTensors.decode("x", DataType.FP32, new long[] {1}, raw, 4, 4));
    assertEquals("input 'x' has 4 bytes, past the end of the request", e.getMessage());
  }

  @Test
  @DisplayName(
      "BYTES sizes count UTF-8 bytes: 1 to U+007F, 2 to U+07FF, 3 above, 4 a pair, 1 a lone half")
  void utf8Sizes() {
    // each element is a 4-byte length and its UTF-8 bytes (a lone surrogate is written as '?')
    String[] text = {
      "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "😀", "\ud800", "\udc00", "\ud800x"
    };
    int[] sizes = {5, 6, 6, 7, 7, 8, 5, 5, 6};
    for (int i = 0; i < text.length; i++) {
      Tensor t = t(DataType.BYTES, new String[] {text[i]});
      assertEquals(sizes[i], RawTensors.size(t), "element " + i);
      assertEquals(sizes[i], RawTensors.encode(t).length, "element " + i);
    }
  }

  @Test
  @DisplayName("BYTES of exactly 2^31 - 1 bytes are sized; one byte more is refused as over 2 GB")
  void bytesOverTwoGigabytes() {
    // 682 references to one string of 2^20 three-byte characters (3,145,732 bytes with its length)
    // and one ASCII string of the rest: 682 * 3,145,732 + 4 + 2,094,419 = 2,147,483,647
    String wide = "日".repeat(1 << 20);
    String[] data = new String[683];
    java.util.Arrays.fill(data, wide);
    data[682] = "a".repeat(2_094_419);
    Tensor max = t(DataType.BYTES, data);
    assertEquals(Integer.MAX_VALUE, RawTensors.size(max));
    data[682] = "a".repeat(2_094_420);
    var e = assertThrows(IllegalArgumentException.class, () -> RawTensors.size(max));
    assertEquals("tensor 'x' is over 2 GB of BYTES", e.getMessage());
  }
}
