package dev.modelsync.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.RawTensors;
import dev.modelsync.api.engine.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Triton's binary tensor data extension over HTTP. A request whose {@code
 * Inference-Header-Content-Length} header says where its JSON ends carries, after the JSON, the raw
 * bytes of each input whose {@code parameters.binary_data_size} is set, in the order of the inputs.
 * An answer carries outputs asked for with {@code parameters.binary_data} (or all, with the
 * request's {@code parameters.binary_data_output}) the same way.
 */
final class BinaryTensors {
  /** The request and response header naming the length of the JSON part of a body. */
  static final String HEADER = "Inference-Header-Content-Length";

  static final String EXTENSION = "binary_tensor_data";

  private BinaryTensors() {}

  /**
   * The JSON part's length: the whole body without the header, else the header's value, which must
   * lie within the body.
   */
  static int jsonLength(String header, int bodyLength) {
    if (header == null) {
      return bodyLength;
    }
    long n;
    try {
      n = Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n <= 0 || n > bodyLength) {
      throw ApiError.badRequest(
          HEADER
              + " is '"
              + header
              + "'; it must be the length of the JSON header, from 1 to the body's "
              + bodyLength
              + " bytes");
    }
    return (int) n;
  }

  /** Where the next input's binary data starts, walking the bytes after the JSON. */
  static final class Cursor {
    private final byte[] body;
    private int at;

    Cursor(byte[] body, int jsonLength) {
      this.body = body;
      this.at = jsonLength;
    }

    /** Reads the next {@code size} bytes as input {@code name}; 400 when they do not fit. */
    Tensor next(String name, DataType type, long[] shape, long size) {
      if (size > body.length - at) {
        throw ApiError.badRequest(
            "input '"
                + name
                + "' has binary_data_size "
                + size
                + " but only "
                + (body.length - at)
                + " bytes of binary data are left in the body");
      }
      try {
        Tensor t = RawTensors.decode(name, type, shape, body, at, (int) size);
        at += (int) size;
        return t;
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(e.getMessage());
      }
    }

    int bodyLength() {
      return body.length;
    }

    /** 400 when bytes are left that no input claimed. */
    void requireEnd() {
      if (at != body.length) {
        throw ApiError.badRequest(
            (body.length - at)
                + " bytes of binary data follow the JSON header that no input's binary_data_size"
                + " claims");
      }
    }
  }

  /** An input's {@code parameters.binary_data_size}, or -1 when it has none. */
  static long binarySize(String name, JsonNode parameters) {
    JsonNode size = parameters == null ? null : parameters.get("binary_data_size");
    if (size == null || size.isNull()) {
      return -1;
    }
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
      throw ApiError.badRequest(
          "input '" + name + "' binary_data_size must be an integer 0 or more, not " + size);
    }
    return size.longValue();
  }

  /** A boolean parameter, or null when absent. */
  static Boolean flag(JsonNode parameters, String key, String where) {
    JsonNode v = parameters == null ? null : parameters.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(where + " parameter '" + key + "' must be true or false");
    }
    return v.booleanValue();
  }

  /**
   * Which outputs an answer carries as binary: those named with {@code binary_data} true, and when
   * the request's {@code binary_data_output} is true, those without their own setting.
   */
  record Outputs(boolean byDefault, Map<String, Boolean> named) {
    static final Outputs NONE = new Outputs(false, Map.of());

    boolean binary(String name) {
      return named.getOrDefault(name, byDefault);
    }

    /**
     * Whether any of {@code outputs} goes as binary. Only then is the answer binary (its header
     * giving the JSON's length), as Triton's: outputs all asked for as JSON get a JSON answer even
     * under {@code binary_data_output}.
     */
    boolean any(List<Tensor> outputs) {
      for (Tensor t : outputs) {
        if (binary(t.name())) {
          return true;
        }
      }
      return false;
    }
  }

  /** An answer body; {@code jsonLength} -1 when it is all JSON. */
  record Answer(byte[] body, int jsonLength) {}

  static Answer json(byte[] body) {
    return new Answer(body, -1);
  }

  /** The JSON, then the raw bytes of each binary output in the order of the outputs. */
  static Answer answer(byte[] json, List<Tensor> outputs, Outputs binary) {
    int size = json.length;
    for (Tensor t : outputs) {
      size += binary.binary(t.name()) ? RawTensors.size(t) : 0;
    }
    ByteBuffer out = ByteBuffer.allocate(size).put(json);
    for (Tensor t : outputs) {
      if (binary.binary(t.name())) {
        RawTensors.encode(t, out);
      }
    }
    return new Answer(out.array(), json.length);
  }
}
