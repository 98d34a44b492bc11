package dev.modelsync.api.engine;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * A named tensor: its datatype, shape and flat row-major data held in the primitive array of the
 * datatype ({@code float[]} for FP32, {@code long[]} for INT64, {@code boolean[]} for BOOL, {@code
 * String[]} for BYTES...).
 */
public record Tensor(String name, DataType type, long[] shape, Object data) {

  public Tensor {
    long expected = elementCount(shape);
    int actual = Array.getLength(data);
    if (expected != actual) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' has " + actual + " values for shape " + Arrays.toString(shape));
    }
  }

  public int size() {
    return Array.getLength(data);
  }

  /**
   * The number of elements of a shape; -1 if a dimension is negative or over {@code
   * Integer.MAX_VALUE}, or the count overflows an int (even when another dimension is 0).
   */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0 || d > Integer.MAX_VALUE) {
        return -1;
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        return -1;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return name + ":" + type + Arrays.toString(shape);
  }
}
