package dev.modelsync.api.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a KServe v2 inference request with Jackson's streaming parser, values straight into the
 * primitive array of the datatype. When {@code data} comes before {@code shape} and {@code
 * datatype} (the spec lists it last, clients rarely reorder), it is read as a tree and converted
 * once they are known.
 */
final class KServeParser {
  private KServeParser() {}

  /**
   * Parses a request whose first {@code jsonLength} bytes are the JSON (the whole body unless the
   * binary tensor extension's header says otherwise); inputs with {@code binary_data_size} are read
   * from the bytes after it.
   */
  static KServeCodec.InferRequest parse(
      byte[] body,
      int jsonLength,
      List<TensorInfo> inputs,
      List<TensorInfo> outputs,
      long maxTensorBytes) {
    if (body == null || body.length == 0) {
      throw ApiError.badRequest("the request body is empty; expected a JSON object");
    }
    BinaryTensors.Cursor binary = new BinaryTensors.Cursor(body, jsonLength);
    try (JsonParser p = TensorCodec.FACTORY.createParser(body, 0, jsonLength)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ApiError.badRequest("the request body must be a JSON object");
      }
      String id = null;
      List<Tensor> tensors = null;
      List<String> wanted = List.of();
      Map<String, Boolean> binaryOutputs = new HashMap<>();
      Boolean binaryAll = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "id" -> {
            if (!value.isScalarValue()) {
              throw ApiError.badRequest("'id' must be a string");
            }
            id = p.getText();
          }
          case "inputs" -> tensors = inputs(p, value, inputs, binary, maxTensorBytes);
          case "outputs" -> wanted = wanted(p, value, outputs, binaryOutputs);
          case "parameters" ->
              binaryAll =
                  BinaryTensors.flag(p.readValueAsTree(), "binary_data_output", "the request's");
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw ApiError.badRequest("the request body is not valid JSON: data after the object");
      }
      if (tensors == null || tensors.isEmpty()) {
        throw ApiError.badRequest("'inputs' must be a non-empty array of tensors");
      }
      binary.requireEnd();
      return new KServeCodec.InferRequest(
          id,
          tensors,
          wanted,
          new BinaryTensors.Outputs(Boolean.TRUE.equals(binaryAll), binaryOutputs));
    } catch (StreamConstraintsException e) {
      throw TensorCodec.tooDeep();
    } catch (InputCoercionException e) {
      throw ApiError.badRequest("a value does not fit its datatype: " + firstLine(e));
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("the request body is not valid JSON: " + firstLine(e));
    } catch (IOException e) {
      throw ApiError.badRequest("the request body cannot be read: " + firstLine(e));
    }
  }

  private static List<Tensor> inputs(
      JsonParser p,
      JsonToken value,
      List<TensorInfo> signature,
      BinaryTensors.Cursor binary,
      long maxBytes)
      throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw ApiError.badRequest("'inputs' must be a non-empty array of tensors");
    }
    List<Tensor> tensors = new ArrayList<>(signature.size());
    Set<String> seen = new HashSet<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      Tensor t = input(p, signature, binary, maxBytes);
      if (!seen.add(t.name())) {
        throw ApiError.badRequest("input '" + t.name() + "' is given twice");
      }
      tensors.add(t);
    }
    for (TensorInfo info : signature) {
      if (!seen.contains(info.name())) {
        throw ApiError.badRequest("input '" + info.name() + "' is missing");
      }
    }
    return tensors;
  }

  private static Tensor input(
      JsonParser p, List<TensorInfo> signature, BinaryTensors.Cursor binary, long maxBytes)
      throws IOException {
    int bodyBytes = binary.bodyLength();
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw ApiError.badRequest(
          "each of 'inputs' must be an object with name, shape, datatype, data");
    }
    String name = null;
    String datatype = null;
    long[] shape = null;
    Object data = null;
    JsonNode early = null;
    JsonNode parameters = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> name = text(p, value, "an input's 'name'");
        case "datatype" -> datatype = text(p, value, "input '" + name + "' 'datatype'");
        case "shape" -> shape = shape(p, value, name);
        case "parameters" -> parameters = p.readValueAsTree();
        case "data" -> {
          if (name != null && datatype != null && shape != null) {
            Checked c = check(signature, name, datatype, shape, bodyBytes, maxBytes);
            data = c.type.newArray(c.n);
            int filled = StreamValues.fill(p, c.type, name, data, 0, c.n);
            if (filled != c.n) {
              throw count(name, filled, c.n);
            }
          } else {
            early = p.readValueAsTree();
          }
        }
        default -> p.skipChildren();
      }
    }
    if (name == null) {
      throw ApiError.badRequest("an input has no 'name'");
    }
    if (datatype == null) {
      throw ApiError.badRequest("input '" + name + "' has no 'datatype'");
    }
    if (shape == null) {
      throw ApiError.badRequest("input '" + name + "' has no 'shape' array");
    }
    Checked c = check(signature, name, datatype, shape, bodyBytes, maxBytes);
    long binarySize = BinaryTensors.binarySize(name, parameters);
    if (binarySize >= 0) {
      if (data != null || early != null) {
        throw ApiError.badRequest("input '" + name + "' has both 'data' and binary_data_size");
      }
      return binary.next(name, c.type, shape, binarySize);
    }
    if (data == null) {
      if (early == null || early.isNull()) {
        throw ApiError.badRequest("input '" + name + "' has no 'data'");
      }
      data = TensorCodec.readData(name, c.type, early, c.n);
    }
    return new Tensor(name, c.type, shape, data);
  }

  record Checked(DataType type, int n) {}

  static Checked check(
      List<TensorInfo> signature,
      String name,
      String datatype,
      long[] shape,
      int bodyBytes,
      long maxBytes) {
    TensorInfo info = TensorCodec.input(signature, name);
    DataType type = DataType.of(datatype);
    if (type == null) {
      throw ApiError.badRequest(
          "input '"
              + name
              + "' has datatype '"
              + datatype
              + "'; the datatypes are "
              + java.util.Arrays.toString(DataType.values()));
    }
    if (!datatype.equals(info.datatype())) {
      throw ApiError.badRequest(
          "input '"
              + name
              + "' has datatype "
              + datatype
              + " but the model expects "
              + info.datatype());
    }
    TensorCodec.checkShape(info, shape);
    long n = Tensor.elementCount(shape);
    TensorCodec.checkSize(name, type, shape, n, bodyBytes, maxBytes);
    return new Checked(type, (int) n);
  }

  private static ApiError count(String name, int filled, int n) {
    return ApiError.badRequest(
        "input '" + name + "' has " + filled + " values but its shape needs " + n);
  }

  private static long[] shape(JsonParser p, JsonToken value, String name) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw ApiError.badRequest("input '" + name + "' has no 'shape' array");
    }
    long[] dims = new long[4];
    int rank = 0;
    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
      if (t != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || p.getLongValue() < 0) {
        throw ApiError.badRequest(
            "input '" + name + "' has a bad shape; dimensions are integers 0 or more");
      }
      if (rank == dims.length) {
        dims = java.util.Arrays.copyOf(dims, rank * 2);
      }
      dims[rank++] = p.getLongValue();
    }
    return java.util.Arrays.copyOf(dims, rank);
  }

  private static String text(JsonParser p, JsonToken value, String what) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw ApiError.badRequest(what + " must be a string");
    }
    return p.getText();
  }

  private static List<String> wanted(
      JsonParser p, JsonToken value, List<TensorInfo> outputs, Map<String, Boolean> binary)
      throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return List.of();
    }
    if (value != JsonToken.START_ARRAY) {
      throw ApiError.badRequest("'outputs' must be an array of {\"name\": ...}");
    }
    List<String> names = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      JsonNode o = p.readValueAsTree();
      JsonNode name = o == null ? null : o.get("name");
      if (name == null || !name.isTextual()) {
        throw ApiError.badRequest("each of 'outputs' needs a 'name'");
      }
      if (outputs.stream().noneMatch(i -> i.name().equals(name.textValue()))) {
        throw ApiError.badRequest(
            "unknown output '"
                + name.textValue()
                + "'; the model's outputs are "
                + TensorCodec.names(outputs));
      }
      names.add(name.textValue());
      Boolean b =
          BinaryTensors.flag(
              o.get("parameters"), "binary_data", "output '" + name.textValue() + "'");
      if (b != null) {
        binary.put(name.textValue(), b);
      }
    }
    return names;
  }

  private static String firstLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
