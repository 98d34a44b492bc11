package dev.modelsync.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
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

  /**
   * The inference answer, written by hand: for small tensors a Jackson generator per answer cost
   * twice the model run.
   */
  static byte[] writeInfer(String model, long version, String id, List<Tensor> outputs) {
    StringBuilder out = new StringBuilder(128);
    out.append("{\"model_name\":");
    JsonText.quote(out, model);
    out.append(",\"model_version\":\"").append(version).append('"');
    if (id != null) {
      out.append(",\"id\":");
      JsonText.quote(out, id);
    }
    out.append(",\"outputs\":[");
    for (int k = 0; k < outputs.size(); k++) {
      Tensor t = outputs.get(k);
      out.append(k == 0 ? "{\"name\":" : ",{\"name\":");
      JsonText.quote(out, t.name());
      out.append(",\"datatype\":\"").append(t.type().name()).append("\",\"shape\":[");
      long[] shape = t.shape();
      for (int i = 0; i < shape.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(shape[i]);
      }
      out.append("],\"data\":");
      JsonText.flat(out, t);
      out.append('}');
    }
    out.append("]}");
    return JsonText.bytes(out);
  }
}
