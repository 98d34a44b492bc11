package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * FP16 and BF16 conversions against answers from independent implementations (numpy's float16,
 * torch's bfloat16: {@code vectors/make_half_floats.py}), and every 16-bit pattern round-tripped.
 */
class TensorValuesTest {
  @Test
  @DisplayName("float32 → FP16 and BF16 bits as numpy and torch round them (nearest, ties to even)")
  void knownAnswers() throws Exception {
    JsonNode vectors;
    try (InputStream in = getClass().getResourceAsStream("/vectors/half-floats.json")) {
      vectors = new ObjectMapper().readTree(in);
    }
    int n = 0;
    for (JsonNode row : vectors.get("values")) {
      float f = Float.intBitsToFloat(Integer.parseUnsignedInt(row.get("float32").asText(), 16));
      String what = row.get("float32").asText() + " (" + f + ")";
      assertEquals(row.get("fp16").asText(), hex(TensorValues.toHalf(f)), "fp16 of " + what);
      assertEquals(row.get("bf16").asText(), hex(TensorValues.toBfloat16(f)), "bf16 of " + what);
      n++;
    }
    assertTrue(n >= 40, "vectors read: " + n);
  }

  @Test
  @DisplayName("every FP16 pattern reads as the float that writes it back (NaNs stay NaN)")
  void everyHalfRoundTrips() {
    for (int h = 0; h <= 0xFFFF; h++) {
      float f = TensorValues.fromHalf((short) h);
      if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) {
        assertTrue(Float.isNaN(f), hex((short) h));
        assertTrue(Float.isNaN(TensorValues.fromHalf(TensorValues.toHalf(f))), hex((short) h));
      } else {
        assertEquals(hex((short) h), hex(TensorValues.toHalf(f)), "round trip of " + f);
      }
    }
    // exact values of a few patterns: smallest subnormal, largest subnormal, smallest normal, max
    assertEquals(0x1p-24f, TensorValues.fromHalf((short) 0x0001));
    assertEquals(0x3FFp-24f, TensorValues.fromHalf((short) 0x03FF));
    assertEquals(0x1p-14f, TensorValues.fromHalf((short) 0x0400));
    assertEquals(65504f, TensorValues.fromHalf((short) 0x7BFF));
    assertEquals(-2f, TensorValues.fromHalf((short) 0xC000));
    assertEquals(Float.NEGATIVE_INFINITY, TensorValues.fromHalf((short) 0xFC00));
  }

  @Test
  @DisplayName("every BF16 pattern reads as the float that writes it back (NaNs stay NaN)")
  void everyBfloat16RoundTrips() {
    for (int h = 0; h <= 0xFFFF; h++) {
      float f = TensorValues.fromBfloat16((short) h);
      assertEquals(Float.intBitsToFloat(h << 16), f, hex((short) h));
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(TensorValues.fromBfloat16(TensorValues.toBfloat16(f))));
      } else {
        assertEquals(hex((short) h), hex(TensorValues.toBfloat16(f)), "round trip of " + f);
      }
    }
  }

  private static String hex(short bits) {
    return String.format("%04x", bits & 0xFFFF);
  }

  @Test
  @DisplayName("each integer type takes exactly its range: the ends in, one past each end out")
  void fitsRanges() {
    assertRange(DataType.INT8, -128, 127);
    assertRange(DataType.UINT8, 0, 255);
    assertRange(DataType.INT16, -32768, 32767);
    assertRange(DataType.UINT16, 0, 65535);
    assertRange(DataType.INT32, -2147483648L, 2147483647L);
    assertRange(DataType.UINT32, 0, 4294967295L);
    assertTrue(TensorValues.fits(DataType.INT64, Long.MIN_VALUE));
    assertTrue(TensorValues.fits(DataType.UINT64, 0));
    assertTrue(TensorValues.fits(DataType.UINT64, Long.MAX_VALUE));
    assertFalse(TensorValues.fits(DataType.UINT64, -1));
    assertFalse(TensorValues.fits(DataType.FP32, 0), "not an integer type");
  }

  private static void assertRange(DataType type, long min, long max) {
    assertTrue(TensorValues.fits(type, min), type + " " + min);
    assertTrue(TensorValues.fits(type, max), type + " " + max);
    assertFalse(TensorValues.fits(type, min - 1), type + " " + (min - 1));
    assertFalse(TensorValues.fits(type, max + 1), type + " " + (max + 1));
  }

  @Test
  @DisplayName(
      "UINT64 reads as unsigned: 3 is 3.0, all bits set is 2^64 - 1 (18446744073709551615)")
  void unsigned64AsDouble() {
    long[] data = {3, -1, Long.MIN_VALUE};
    assertEquals(3.0, TensorValues.doubleAt(DataType.UINT64, data, 0));
    assertEquals(18446744073709551615.0, TensorValues.doubleAt(DataType.UINT64, data, 1));
    assertEquals(9223372036854775808.0, TensorValues.doubleAt(DataType.UINT64, data, 2));
    assertEquals("18446744073709551615", TensorValues.integerText(DataType.UINT64, data, 1));
  }

  @Test
  @DisplayName(
      "FP16: a NaN keeps the top 10 payload bits (as numpy), and 2^16 * 1.5 overflows to infinity")
  void halfEdges() {
    // numpy: np.array([0x7FFFE000], np.uint32).view(np.float32).astype(np.float16).view(np.uint16)
    assertEquals("7fff", hex(TensorValues.toHalf(Float.intBitsToFloat(0x7FFFE000))));
    assertEquals("fc00", hex(TensorValues.toHalf(Float.intBitsToFloat(0xFF800000))));
    assertEquals("7c00", hex(TensorValues.toHalf(98304f)));
    assertEquals("7c00", hex(TensorValues.toHalf(65536f)));
  }

  @Test
  @DisplayName("the unsigned types are UINT8, UINT16, UINT32 and UINT64, and no other")
  void unsignedTypes() {
    for (DataType t : DataType.values()) {
      assertEquals(t.name().startsWith("UINT"), t.unsigned(), t.name());
    }
  }

  @Test
  @DisplayName("a new BYTES array holds empty strings, not nulls; the others are zero-filled")
  void newArrays() {
    assertArrayEquals(new String[] {"", ""}, (String[]) DataType.BYTES.newArray(2));
    assertArrayEquals(new short[3], (short[]) DataType.FP16.newArray(3));
  }
}
