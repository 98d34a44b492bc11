package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
