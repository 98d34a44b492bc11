package dev.modelsync.api.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tensors as raw bytes, the layout of the Open Inference Protocol's binary forms (gRPC {@code
 * raw_input_contents}/{@code raw_output_contents}, the HTTP binary tensor extension): elements flat
 * in row-major order, little-endian, no padding; BOOL one byte per element; BYTES a 4-byte
 * little-endian length then the bytes, per element. Every datatype switch of the raw form is here.
 */
public final class RawTensors {
  private RawTensors() {}

  /**
   * Reads {@code length} bytes at {@code offset} as a tensor of the shape.
   *
   * @throws IllegalArgumentException when the bytes do not hold exactly the shape's elements
   */
  public static Tensor decode(
      String name, DataType type, long[] shape, byte[] raw, int offset, int length) {
    long n = Tensor.elementCount(shape);
    if (n < 0) {
      throw new IllegalArgumentException(
          "input '" + name + "' has shape " + Arrays.toString(shape) + ", too large to serve");
    }
    int count = (int) n;
    if (type != DataType.BYTES && (long) count * type.bytes() != length) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "' has "
              + length
              + " bytes of raw data; shape "
              + Arrays.toString(shape)
              + " of "
              + type
              + " needs "
              + (long) count * type.bytes());
    }
    ByteBuffer in = ByteBuffer.wrap(raw, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    Object data =
        switch (type) {
          case FP32 -> {
            float[] a = new float[count];
            in.asFloatBuffer().get(a);
            yield a;
          }
          case FP64 -> {
            double[] a = new double[count];
            in.asDoubleBuffer().get(a);
            yield a;
          }
          case INT32 -> {
            int[] a = new int[count];
            in.asIntBuffer().get(a);
            yield a;
          }
          case INT64 -> {
            long[] a = new long[count];
            in.asLongBuffer().get(a);
            yield a;
          }
          case BOOL -> {
            boolean[] a = new boolean[count];
            for (int i = 0; i < count; i++) {
              a[i] = in.get(i) != 0;
            }
            yield a;
          }
          case BYTES -> strings(name, in, count);
        };
    return new Tensor(name, type, shape, data);
  }

  private static String[] strings(String name, ByteBuffer in, int count) {
    String[] a = new String[count];
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 4) {
        throw new IllegalArgumentException(
            "input '" + name + "' raw BYTES end before element " + i + " of " + count);
      }
      int len = in.getInt();
      if (len < 0 || len > in.remaining()) {
        throw new IllegalArgumentException(
            "input '"
                + name
                + "' raw BYTES element "
                + i
                + " claims "
                + len
                + " bytes, past the end");
      }
      a[i] = new String(in.array(), in.arrayOffset() + in.position(), len, StandardCharsets.UTF_8);
      in.position(in.position() + len);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "' raw BYTES have "
              + in.remaining()
              + " bytes after its "
              + count
              + " elements");
    }
    return a;
  }

  /** The tensor's elements as raw bytes. */
  public static byte[] encode(Tensor t) {
    int count = t.size();
    if (t.type() == DataType.BYTES) {
      String[] s = (String[]) t.data();
      byte[][] utf8 = new byte[count][];
      int total = 0;
      for (int i = 0; i < count; i++) {
        utf8[i] = s[i].getBytes(StandardCharsets.UTF_8);
        total += 4 + utf8[i].length;
      }
      ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
      for (byte[] b : utf8) {
        out.putInt(b.length).put(b);
      }
      return out.array();
    }
    ByteBuffer out = ByteBuffer.allocate(count * t.type().bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.type()) {
      case FP32 -> out.asFloatBuffer().put((float[]) t.data());
      case FP64 -> out.asDoubleBuffer().put((double[]) t.data());
      case INT32 -> out.asIntBuffer().put((int[]) t.data());
      case INT64 -> out.asLongBuffer().put((long[]) t.data());
      case BOOL -> {
        boolean[] b = (boolean[]) t.data();
        for (int i = 0; i < count; i++) {
          out.put(i, (byte) (b[i] ? 1 : 0));
        }
      }
      case BYTES -> throw new AssertionError("handled above");
    }
    return out.array();
  }
}
