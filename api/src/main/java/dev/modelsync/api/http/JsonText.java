package dev.modelsync.api.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorValues;
import java.nio.charset.StandardCharsets;

/** Small JSON writing helpers for the hot path: strings, numbers and flat tensor data. */
final class JsonText {
  private JsonText() {}

  static void quote(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      // a fast path only: Jackson's quoting writes every other character as it is, so mutants that
      // send more strings to it are equivalent (PIT); those that send fewer are killed
      if (c < 0x20 || c == '"' || c == '\\' || c > 0x7e) {
        out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
        return;
      }
    }
    out.append('"').append(s).append('"');
  }

  /** Writes the data as a flat array; non-finite floats become the strings Jackson writes. */
  static void flat(StringBuilder out, Tensor t) {
    out.append('[');
    Object data = t.data();
    int n = t.size();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append(',');
      }
      switch (t.type()) {
        case FP32 -> number(out, ((float[]) data)[i]);
        case FP64 -> number(out, ((double[]) data)[i]);
        case INT32 -> out.append(((int[]) data)[i]);
        case INT64 -> out.append(((long[]) data)[i]);
        case BOOL -> out.append(((boolean[]) data)[i]);
        case BYTES -> quote(out, ((String[]) data)[i]);
        case FP16, BF16 -> number(out, (float) TensorValues.doubleAt(t.type(), data, i));
        default -> out.append(TensorValues.integerText(t.type(), data, i));
      }
    }
    out.append(']');
  }

  private static void number(StringBuilder out, double v) {
    if (Double.isFinite(v)) {
      out.append(v);
    } else {
      out.append('"').append(v).append('"');
    }
  }

  private static void number(StringBuilder out, float v) {
    if (Float.isFinite(v)) {
      out.append(v);
    } else {
      out.append('"').append(v).append('"');
    }
  }

  /** UTF-8 bytes; an ASCII text (the usual answer) is copied once, not through a String. */
  static byte[] bytes(StringBuilder out) {
    int n = out.length();
    byte[] ascii = new byte[n];
    for (int i = 0; i < n; i++) {
      char c = out.charAt(i);
      if (c >= 0x80) {
        return out.toString().getBytes(StandardCharsets.UTF_8);
      }
      ascii[i] = (byte) c;
    }
    return ascii;
  }
}
