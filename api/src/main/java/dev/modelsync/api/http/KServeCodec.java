package dev.modelsync.api.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The KServe v2 inference request and response bodies. */
final class KServeCodec {
  private KServeCodec() {}

  /** A parsed inference request; {@code outputs} empty means all. */
  record InferRequest(String id, List<Tensor> inputs, List<String> outputs) {}

  static InferRequest parseInfer(byte[] body, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    JsonNode root = TensorCodec.parse(body);
    JsonNode id = root.get("id");
    if (id != null && !id.isValueNode()) {
      throw ApiError.badRequest("'id' must be a string");
    }
    JsonNode list = root.get("inputs");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw ApiError.badRequest("'inputs' must be a non-empty array of tensors");
    }
    List<Tensor> tensors = new ArrayList<>(list.size());
    Set<String> seen = new HashSet<>();
    for (JsonNode node : list) {
      Tensor t = parseInput(node, inputs);
      if (!seen.add(t.name())) {
        throw ApiError.badRequest("input '" + t.name() + "' is given twice");
      }
      tensors.add(t);
    }
    if (seen.size() < inputs.size()) {
      for (TensorInfo info : inputs) {
        if (!seen.contains(info.name())) {
          throw ApiError.badRequest("input '" + info.name() + "' is missing");
        }
      }
    }
    return new InferRequest(id == null ? null : id.asText(), tensors, wanted(root, outputs));
  }

  private static Tensor parseInput(JsonNode node, List<TensorInfo> inputs) {
    if (!node.isObject()) {
      throw ApiError.badRequest(
          "each of 'inputs' must be an object with name, shape, datatype, data");
    }
    JsonNode nameNode = node.get("name");
    if (nameNode == null || !nameNode.isTextual()) {
      throw ApiError.badRequest("an input has no 'name'");
    }
    String name = nameNode.textValue();
    TensorInfo info = TensorCodec.input(inputs, name);
    JsonNode datatypeNode = node.get("datatype");
    if (datatypeNode == null || !datatypeNode.isTextual()) {
      throw ApiError.badRequest("input '" + name + "' has no 'datatype'");
    }
    String datatype = datatypeNode.textValue();
    DataType type = DataType.of(datatype);
    if (type == null) {
      throw ApiError.badRequest(
          "input '"
              + name
              + "' has datatype '"
              + datatype
              + "'; supported are FP32, FP64, INT32, INT64, BOOL and BYTES");
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
    long[] shape = shape(name, node.get("shape"));
    TensorCodec.checkShape(info, shape);
    long n = Tensor.elementCount(shape);
    if (n < 0) {
      throw ApiError.badRequest("input '" + name + "' has a shape too large to serve");
    }
    JsonNode data = node.get("data");
    if (data == null || data.isNull()) {
      throw ApiError.badRequest("input '" + name + "' has no 'data'");
    }
    return new Tensor(name, type, shape, TensorCodec.readData(name, type, data, (int) n));
  }

  private static long[] shape(String name, JsonNode node) {
    if (node == null || !node.isArray()) {
      throw ApiError.badRequest("input '" + name + "' has no 'shape' array");
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || d.longValue() < 0) {
        throw ApiError.badRequest(
            "input '" + name + "' has shape " + node + "; dimensions are integers 0 or more");
      }
      shape[i] = d.longValue();
    }
    return shape;
  }

  private static List<String> wanted(JsonNode root, List<TensorInfo> outputs) {
    JsonNode list = root.get("outputs");
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw ApiError.badRequest("'outputs' must be an array of {\"name\": ...}");
    }
    List<String> names = new ArrayList<>(list.size());
    for (JsonNode o : list) {
      JsonNode name = o.get("name");
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
    }
    return names;
  }

  static byte[] writeInfer(String model, long version, String id, List<Tensor> outputs) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = TensorCodec.generator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", model);
      g.writeStringField("model_version", Long.toString(version));
      if (id != null) {
        g.writeStringField("id", id);
      }
      g.writeArrayFieldStart("outputs");
      for (Tensor t : outputs) {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.type().name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeFieldName("data");
        TensorCodec.writeData(g, t, false);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
