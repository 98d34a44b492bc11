package dev.modelsync.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.api.engine.TensorValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * JSON ↔ tensors: reads values straight into the primitive array of the datatype, checking each
 * against the model's signature, and writes answers with a streaming generator.
 */
final class TensorCodec {
  /**
   * Deepest JSON nesting a request may have: a tensor of rank 8 inside a request is 11 levels;
   * without a limit, deep nesting costs stack and time in every recursive reader.
   */
  static final int MAX_DEPTH = 32;

  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();
  static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private TensorCodec() {}

  static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw ApiError.badRequest("the request body is empty; expected a JSON object");
    }
    try {
      JsonNode root = MAPPER.readTree(body);
      if (root == null || !root.isObject()) {
        throw ApiError.badRequest("the request body must be a JSON object");
      }
      return root;
    } catch (StreamConstraintsException e) {
      throw tooDeep();
    } catch (IOException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw ApiError.badRequest("the request body is not valid JSON: " + m);
    }
  }

  static ApiError tooDeep() {
    return ApiError.badRequest("the request body nests JSON deeper than " + MAX_DEPTH + " levels");
  }

  /**
   * Refuses, before anything is allocated, a tensor of {@code n} elements that is over the byte
   * limit or has more elements than the body could hold (every value takes at least one byte).
   */
  static void checkSize(
      String name, DataType type, long[] shape, long n, int bodyBytes, long maxTensorBytes) {
    if (n < 0) {
      throw ApiError.badRequest(
          "input '" + name + "' has shape " + Arrays.toString(shape) + ", too large to serve");
    }
    long bytes = n * Math.max(type.bytes(), 8L);
    if (bytes > maxTensorBytes) {
      throw ApiError.badRequest(
          "input '"
              + name
              + "' has shape "
              + Arrays.toString(shape)
              + ": "
              + n
              + " values, over the limit of "
              + maxTensorBytes
              + " bytes per tensor (MODELSYNC_MAX_TENSOR_BYTES)");
    }
    if (n > bodyBytes) {
      throw ApiError.badRequest(
          "input '"
              + name
              + "' has shape "
              + Arrays.toString(shape)
              + " of "
              + n
              + " values, more than the request body of "
              + bodyBytes
              + " bytes holds");
    }
  }

  static TensorInfo input(List<TensorInfo> signature, String name) {
    for (TensorInfo info : signature) {
      if (info.name().equals(name)) {
        return info;
      }
    }
    throw ApiError.badRequest(
        "unknown input '" + name + "'; the model's inputs are " + names(signature));
  }

  static String names(List<TensorInfo> signature) {
    return signature.stream().map(TensorInfo::name).collect(Collectors.joining(", ", "[", "]"));
  }

  static DataType servedType(TensorInfo info) {
    DataType type = info.type();
    if (type == null) {
      throw ApiError.badRequest(
          "input '" + info.name() + "' has datatype " + info.datatype() + ", which is not served");
    }
    return type;
  }

  /** Checks a request shape against the model's: same rank, equal where the model fixes a size. */
  static void checkShape(TensorInfo info, long[] shape) {
    long[] model = info.shape();
    boolean ok = model.length == shape.length;
    for (int i = 0; ok && i < shape.length; i++) {
      ok = model[i] < 0 || model[i] == shape[i];
    }
    if (!ok) {
      throw ApiError.badRequest(
          "input '"
              + info.name()
              + "' has shape "
              + Arrays.toString(shape)
              + " but the model expects "
              + Arrays.toString(model)
              + " (-1 = any size)");
    }
  }

  /**
   * Reads {@code data} (flat or nested arrays, or a single value) into a new array of {@code n}
   * elements.
   */
  static Object readData(String name, DataType type, JsonNode data, int n) {
    Object out = type.newArray(n);
    int filled = fill(name, type, data, out, 0, n);
    if (filled != n) {
      throw ApiError.badRequest(
          "input '" + name + "' has " + filled + " values but its shape needs " + n);
    }
    return out;
  }

  private static int fill(String name, DataType type, JsonNode node, Object out, int at, int n) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        at = fill(name, type, child, out, at, n);
      }
      return at;
    }
    if (at >= n) {
      // count the rest so the message says how many values there were
      return at + 1;
    }
    if (type.floating()) {
      TensorValues.setFloating(type, out, at, number(name, node, at));
    } else if (type.integer()) {
      if (!node.isIntegralNumber()) {
        throw ApiError.badRequest(
            "input '" + name + "' value at " + at + " is " + node + ", not an integer");
      }
      if (node.canConvertToLong()) {
        setInteger(name, type, out, at, node.longValue());
      } else {
        setBig(name, type, out, at, node.bigIntegerValue());
      }
    } else if (type == DataType.BOOL) {
      if (!node.isBoolean()) {
        throw ApiError.badRequest(
            "input '" + name + "' value at " + at + " is " + node + ", not true or false");
      }
      ((boolean[]) out)[at] = node.booleanValue();
    } else {
      if (!node.isTextual()) {
        throw ApiError.badRequest(
            "input '" + name + "' value at " + at + " is " + node + ", not a string");
      }
      ((String[]) out)[at] = StreamValues.text(name, at, node.textValue());
    }
    return at + 1;
  }

  /** Stores an integer value, or 400 when it is outside the type's range. */
  static void setInteger(String name, DataType type, Object out, int at, long v) {
    if (!TensorValues.fits(type, v)) {
      throw doesNotFit(name, type, Long.toString(v), at);
    }
    TensorValues.setInteger(type, out, at, v);
  }

  /** Stores an integer beyond a long: only UINT64 holds some (up to 2^64 - 1). */
  static void setBig(String name, DataType type, Object out, int at, BigInteger v) {
    if (type != DataType.UINT64 || v.signum() < 0 || v.bitLength() > 64) {
      throw doesNotFit(name, type, v.toString(), at);
    }
    TensorValues.setInteger(type, out, at, v.longValue());
  }

  private static ApiError doesNotFit(String name, DataType type, String v, int at) {
    return ApiError.badRequest(
        "input '" + name + "' value " + v + " at " + at + " does not fit " + type);
  }

  private static double number(String name, JsonNode node, int at) {
    if (!node.isNumber()) {
      throw ApiError.badRequest(
          "input '" + name + "' value at " + at + " is " + node + ", not a number");
    }
    return node.doubleValue();
  }

  /** Writes a tensor's data nested by its shape. */
  static void writeData(JsonGenerator g, Tensor t) throws IOException {
    writeNested(g, t, 0, 0, t.size());
  }

  /** Writes elements [from, to) of {@code t} nested by the dimensions from {@code dim} on. */
  static void writeNested(JsonGenerator g, Tensor t, int dim, int from, int to) throws IOException {
    long[] shape = t.shape();
    if (dim == shape.length) {
      writeValue(g, t, from);
      return;
    }
    g.writeStartArray();
    int step = shape[dim] == 0 ? 0 : (to - from) / (int) shape[dim];
    for (int i = 0; i < shape[dim]; i++) {
      writeNested(g, t, dim + 1, from + i * step, from + (i + 1) * step);
    }
    g.writeEndArray();
  }

  private static void writeValue(JsonGenerator g, Tensor t, int i) throws IOException {
    DataType type = t.type();
    switch (type) {
      case FP32 -> g.writeNumber(((float[]) t.data())[i]);
      case FP64 -> g.writeNumber(((double[]) t.data())[i]);
      case FP16, BF16 -> g.writeNumber((float) TensorValues.doubleAt(type, t.data(), i));
      case BOOL -> g.writeBoolean(((boolean[]) t.data())[i]);
      case BYTES -> g.writeString(((String[]) t.data())[i]);
      case INT32 -> g.writeNumber(((int[]) t.data())[i]);
      case INT64 -> g.writeNumber(((long[]) t.data())[i]);
      default -> g.writeNumber(TensorValues.integerText(type, t.data(), i));
    }
  }

  /** A generator into a fresh byte array builder; see {@link #bytes}. */
  static JsonGenerator generator(ByteArrayBuilder out) {
    try {
      return FACTORY.createGenerator(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
