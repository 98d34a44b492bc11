package dev.modelsync.api.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one place that turns raw little-endian bytes into a {@link Tensor} and back, per datatype:
 * the layout of Triton's binary tensor extension and of gRPC's raw_input_contents /
 * raw_output_contents. Fixed-size types are their elements back to back, BOOL one byte each (0 or
 * 1), FP16 and BF16 their 16 bits; BYTES is, per element, a 4-byte little-endian length and then
 * that many bytes (held here as UTF-8 text).
 */
public final class RawTensors {
  private RawTensors() {}

  /**
   * Reads {@code length} bytes of {@code raw} from {@code offset} as a tensor of {@code shape}.
   *
   * @throws IllegalArgumentException naming the tensor when the size does not match the shape, a
   *     BYTES element runs past the end or is not UTF-8, or the shape is too large
   */
  public static Tensor decode(
      String name, DataType type, long[] shape, byte[] raw, int offset, int length) {
    long n = Tensor.elementCount(shape);
    if (n < 0) {
      throw new IllegalArgumentException(
          "input '" + name + "' has shape " + Arrays.toString(shape) + ", too large to serve");
    }
    if (offset < 0 || length < 0 || offset > raw.length - length) {
      throw new IllegalArgumentException(
          "input '" + name + "' has " + length + " bytes, past the end of the request");
    }
    int count = (int) n;
    ByteBuffer in = ByteBuffer.wrap(raw, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    if (type == DataType.BYTES) {
      return new Tensor(name, type, shape, strings(name, in, count));
    }
    long expected = n * type.bytes();
    if (expected != length) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "' has "
              + length
              + " bytes of "
              + type
              + " data but its shape "
              + Arrays.toString(shape)
              + " needs "
              + expected);
    }
    Object data = type.newArray(count);
    switch (type) {
      case BOOL -> {
        boolean[] b = (boolean[]) data;
        for (int i = 0; i < count; i++) {
          b[i] = in.get() != 0;
        }
      }
      case INT8, UINT8 -> in.get((byte[]) data);
      case INT16, UINT16, FP16, BF16 -> in.asShortBuffer().get((short[]) data);
      case INT32, UINT32 -> in.asIntBuffer().get((int[]) data);
      case INT64, UINT64 -> in.asLongBuffer().get((long[]) data);
      case FP32 -> in.asFloatBuffer().get((float[]) data);
      case FP64 -> in.asDoubleBuffer().get((double[]) data);
      case BYTES -> throw new IllegalStateException();
    }
    return new Tensor(name, type, shape, data);
  }

  /** {@link #decode} of a whole array. */
  public static Tensor decode(String name, DataType type, long[] shape, byte[] raw) {
    return decode(name, type, shape, raw, 0, raw.length);
  }

  private static String[] strings(String name, ByteBuffer in, int count) {
    var utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    String[] out = new String[count];
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 4) {
        throw new IllegalArgumentException(
            "input '" + name + "' BYTES data ends before element " + i + " of " + count);
      }
      int len = in.getInt();
      if (len < 0 || len > in.remaining()) {
        throw new IllegalArgumentException(
            "input '"
                + name
                + "' BYTES element "
                + i
                + " claims "
                + len
                + " bytes; "
                + in.remaining()
                + " are left");
      }
      ByteBuffer slice = in.slice();
      slice.limit(len);
      try {
        out[i] = utf8.decode(slice).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException(
            "input '"
                + name
                + "' BYTES element "
                + i
                + " is not UTF-8 text, which is all this"
                + " server holds in BYTES tensors");
      }
      in.position(in.position() + len);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "' has "
              + in.remaining()
              + " bytes after its "
              + count
              + " BYTES elements");
    }
    return out;
  }

  /** The number of bytes {@link #encode} writes for {@code t}. */
  public static int size(Tensor t) {
    if (t.type() != DataType.BYTES) {
      return t.size() * t.type().bytes();
    }
    long n = 0;
    for (String s : (String[]) t.data()) {
      n += 4 + utf8Length(s);
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor '" + t.name() + "' is over 2 GB of BYTES");
    }
    return (int) n;
  }

  /** The tensor's elements as raw little-endian bytes. */
  public static byte[] encode(Tensor t) {
    byte[] out = new byte[size(t)];
    encode(t, ByteBuffer.wrap(out));
    return out;
  }

  /** Writes the tensor's raw bytes at the buffer's position, which moves past them. */
  public static void encode(Tensor t, ByteBuffer into) {
    ByteBuffer out = into.order(ByteOrder.LITTLE_ENDIAN);
    int n = t.size();
    Object data = t.data();
    int start = out.position();
    switch (t.type()) {
      case BOOL -> {
        for (boolean b : (boolean[]) data) {
          out.put((byte) (b ? 1 : 0));
        }
      }
      case INT8, UINT8 -> out.put((byte[]) data);
      case INT16, UINT16, FP16, BF16 -> out.asShortBuffer().put((short[]) data);
      case INT32, UINT32 -> out.asIntBuffer().put((int[]) data);
      case INT64, UINT64 -> out.asLongBuffer().put((long[]) data);
      case FP32 -> out.asFloatBuffer().put((float[]) data);
      case FP64 -> out.asDoubleBuffer().put((double[]) data);
      case BYTES -> {
        for (String s : (String[]) data) {
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          out.putInt(b.length).put(b);
        }
      }
    }
    // (PIT: "bytes() >= 1" is equivalent: a put of bytes already moved the position)
    if (t.type() != DataType.BYTES && t.type() != DataType.BOOL && t.type().bytes() > 1) {
      out.position(start + n * t.type().bytes()); // the views above do not move the buffer
    }
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n++; // a lone surrogate: String.getBytes writes '?'
      } else {
        n += 3;
      }
    }
    return n;
  }
}
