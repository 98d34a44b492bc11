package dev.modelsync.api.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.TensorValues;
import java.io.IOException;

/** Reads a tensor's JSON values from a streaming parser into the primitive array of its type. */
final class StreamValues {
  private StreamValues() {}

  /** Reads nested arrays or a single value into {@code out}; returns how many values there were. */
  static int fill(JsonParser p, DataType type, String name, Object out, int at, int n)
      throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_ARRAY) {
      while (p.nextToken() != JsonToken.END_ARRAY) {
        at = fill(p, type, name, out, at, n);
      }
      return at;
    }
    if (at >= n) {
      p.skipChildren();
      return at + 1;
    }
    if (type == DataType.FP32) {
      ((float[]) out)[at] = (float) number(p, t, name, at);
    } else if (type.floating()) {
      TensorValues.setFloating(type, out, at, number(p, t, name, at));
    } else if (type.integer()) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        throw ApiError.badRequest(
            "input '" + name + "' value at " + at + " is " + p.getText() + ", not an integer");
      }
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        TensorCodec.setBig(name, type, out, at, p.getBigIntegerValue());
      } else {
        TensorCodec.setInteger(name, type, out, at, p.getLongValue());
      }
    } else if (type == DataType.BOOL) {
      if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
        throw ApiError.badRequest(
            "input '" + name + "' value at " + at + " is " + p.getText() + ", not true or false");
      }
      ((boolean[]) out)[at] = t == JsonToken.VALUE_TRUE;
    } else {
      if (t != JsonToken.VALUE_STRING) {
        throw ApiError.badRequest(
            "input '" + name + "' value at " + at + " is " + p.getText() + ", not a string");
      }
      ((String[]) out)[at] = text(name, at, p.getText());
    }
    return at + 1;
  }

  /**
   * A BYTES value from JSON, or 400 when it holds a lone surrogate ({@code "\\ud800"} is valid JSON
   * but has no UTF-8 form): BYTES are carried as UTF-8 text, and it would reach the model as '?'.
   */
  static String text(String name, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw ApiError.badRequest(
            "input '"
                + name
                + "' value at "
                + at
                + " is not UTF-8 text: it holds a lone surrogate \\u"
                + Integer.toHexString(c)
                + " at character "
                + i
                + "; BYTES values are carried as UTF-8 text");
      }
    }
    return s;
  }

  private static double number(JsonParser p, JsonToken t, String name, int at) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw ApiError.badRequest(
          "input '" + name + "' value at " + at + " is " + p.getText() + ", not a number");
    }
    return p.getDoubleValue();
  }
}
