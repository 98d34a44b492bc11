package dev.modelsync.api.engine;

/**
 * Element access for every {@link DataType}, in the one place that knows how each is held: ranges
 * of the integer types, unsigned values in signed arrays, and FP16 / BF16 as raw 16-bit patterns.
 */
public final class TensorValues {
  private TensorValues() {}

  /** True when {@code v} is in the range of the integer type (UINT64: 0 to Long.MAX_VALUE here). */
  public static boolean fits(DataType type, long v) {
    return switch (type) {
      case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
      case UINT8 -> v >= 0 && v <= 0xFF;
      case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
      case UINT16 -> v >= 0 && v <= 0xFFFF;
      case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
      case INT64 -> true;
      case UINT64 -> v >= 0;
      default -> false;
    };
  }

  /**
   * Stores an integer that {@link #fits} the type; for UINT64 any bits (values over Long.MAX_VALUE
   * as their two's complement).
   */
  public static void setInteger(DataType type, Object out, int at, long v) {
    switch (type) {
      case INT8, UINT8 -> ((byte[]) out)[at] = (byte) v;
      case INT16, UINT16 -> ((short[]) out)[at] = (short) v;
      case INT32, UINT32 -> ((int[]) out)[at] = (int) v;
      case INT64, UINT64 -> ((long[]) out)[at] = v;
      default -> throw new IllegalArgumentException(type + " is not an integer type");
    }
  }

  /** Stores a number in a floating-point type, rounding to nearest even for FP16 and BF16. */
  public static void setFloating(DataType type, Object out, int at, double v) {
    switch (type) {
      case FP16 -> ((short[]) out)[at] = toHalf((float) v);
      case BF16 -> ((short[]) out)[at] = toBfloat16((float) v);
      case FP32 -> ((float[]) out)[at] = (float) v;
      case FP64 -> ((double[]) out)[at] = v;
      default -> throw new IllegalArgumentException(type + " is not a floating-point type");
    }
  }

  /** Element {@code i} as a double (BOOL 1 or 0; UINT64 unsigned; BYTES not a number). */
  public static double doubleAt(DataType type, Object data, int i) {
    return switch (type) {
      case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
      case INT8 -> ((byte[]) data)[i];
      case UINT8 -> ((byte[]) data)[i] & 0xFF;
      case INT16 -> ((short[]) data)[i];
      case UINT16 -> ((short[]) data)[i] & 0xFFFF;
      case INT32 -> ((int[]) data)[i];
      case UINT32 -> Integer.toUnsignedLong(((int[]) data)[i]);
      case INT64 -> ((long[]) data)[i];
      case UINT64 -> unsignedToDouble(((long[]) data)[i]);
      case FP16 -> fromHalf(((short[]) data)[i]);
      case BF16 -> fromBfloat16(((short[]) data)[i]);
      case FP32 -> ((float[]) data)[i];
      case FP64 -> ((double[]) data)[i];
      case BYTES -> throw new IllegalArgumentException("BYTES values are not numbers");
    };
  }

  /**
   * Element {@code i} of an integer type as its exact decimal text (unsigned types without sign).
   */
  public static String integerText(DataType type, Object data, int i) {
    return switch (type) {
      case UINT64 -> Long.toUnsignedString(((long[]) data)[i]);
      case INT64 -> Long.toString(((long[]) data)[i]);
      default -> Long.toString((long) doubleAt(type, data, i));
    };
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  /** IEEE 754 half precision from a float, rounded to nearest even. */
  public static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >>> shift;
      int rest = mant & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rest > mid || (rest == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is still right, up to infinity
    }
    return (short) (sign | half);
  }

  /** The float an IEEE 754 half-precision bit pattern holds. */
  public static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** bfloat16 from a float, rounded to nearest even (NaN stays a quiet NaN). */
  public static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    bits += 0x7FFF + ((bits >>> 16) & 1);
    return (short) (bits >>> 16);
  }

  public static float fromBfloat16(short h) {
    return Float.intBitsToFloat((h & 0xFFFF) << 16);
  }
}
