package dev.modelsync.api.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * TF Serving's REST predict bodies: {@code instances} (a list of rows) answered with {@code
 * predictions}, or {@code inputs} (columnar) answered with {@code outputs}. Datatypes come from the
 * model's signature; shapes from the nesting of the JSON arrays. BYTES values may come as {@code
 * {"b64": "..."}}; {@code signature_name}, when given, must be {@code serving_default}.
 */
final class TfServingCodec {
  private TfServingCodec() {}

  record PredictRequest(boolean rows, List<Tensor> inputs) {}

  static PredictRequest parse(byte[] body, List<TensorInfo> signature) {
    return parse(body, signature, KServeCodec.DEFAULT_MAX_TENSOR_BYTES);
  }

  /** Parses a request, or fails with an {@link ApiError} (400) saying what is wrong. */
  static PredictRequest parse(byte[] body, List<TensorInfo> signature, long maxTensorBytes) {
    JsonNode root = TensorCodec.parse(body);
    checkSignature(root.get("signature_name"));
    JsonNode instances = root.get("instances");
    JsonNode inputs = root.get("inputs");
    if ((instances == null) == (inputs == null)) {
      throw ApiError.badRequest("the body needs exactly one of 'instances' or 'inputs'");
    }
    List<Tensor> tensors = new ArrayList<>();
    if (instances != null) {
      if (!instances.isArray() || instances.isEmpty()) {
        throw ApiError.badRequest("'instances' must be a non-empty array");
      }
      if (instances.get(0).isObject() && !TfB64.isB64(instances.get(0))) {
        for (TensorInfo info : signature) {
          ArrayNode column = TensorCodec.MAPPER.createArrayNode();
          for (JsonNode row : instances) {
            JsonNode value = row.isObject() ? row.get(info.name()) : null;
            if (value == null) {
              throw ApiError.badRequest("an instance has no input '" + info.name() + "'");
            }
            column.add(value);
          }
          tensors.add(tensor(info, column, body.length, maxTensorBytes));
        }
        checkNoUnknown(instances.get(0), signature);
      } else {
        tensors.add(tensor(single(signature), instances, body.length, maxTensorBytes));
      }
      return new PredictRequest(true, tensors);
    }
    if (inputs.isObject()) {
      checkNoUnknown(inputs, signature);
      for (TensorInfo info : signature) {
        JsonNode value = inputs.get(info.name());
        if (value == null) {
          throw ApiError.badRequest("input '" + info.name() + "' is missing");
        }
        tensors.add(tensor(info, value, body.length, maxTensorBytes));
      }
    } else {
      tensors.add(tensor(single(signature), inputs, body.length, maxTensorBytes));
    }
    return new PredictRequest(false, tensors);
  }

  /** The one signature every model has; TF Serving's default name, or none, picks it. */
  private static void checkSignature(JsonNode name) {
    if (name == null
        || name.isNull()
        || name.isTextual()
            && (name.textValue().isEmpty()
                || name.textValue().equals(TfServingHandlers.SIGNATURE))) {
      return;
    }
    String given = name.isTextual() ? "'" + name.textValue() + "'" : name.toString();
    throw ApiError.badRequest(
        "unknown signature_name "
            + (given.length() > 80 ? given.substring(0, 80) + "…" : given)
            + "; the model has one signature, '"
            + TfServingHandlers.SIGNATURE
            + "'");
  }

  private static TensorInfo single(List<TensorInfo> signature) {
    if (signature.size() != 1) {
      throw ApiError.badRequest(
          "the model has inputs "
              + TensorCodec.names(signature)
              + "; name them with objects instead of bare values");
    }
    return signature.get(0);
  }

  private static void checkNoUnknown(JsonNode object, List<TensorInfo> signature) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      TensorCodec.input(signature, it.next());
    }
  }

  private static Tensor tensor(TensorInfo info, JsonNode value, int bodyBytes, long maxBytes) {
    DataType type = TensorCodec.servedType(info);
    if (type == DataType.BYTES) {
      value = TfB64.decode(info.name(), value);
    }
    List<Long> dims = new ArrayList<>();
    for (JsonNode n = value; n.isArray(); n = n.get(0)) {
      dims.add((long) n.size());
      if (n.isEmpty()) {
        break;
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    TensorCodec.checkShape(info, shape);
    long n = Tensor.elementCount(shape);
    TensorCodec.checkSize(info.name(), type, shape, n, bodyBytes, maxBytes);
    return new Tensor(
        info.name(), type, shape, TensorCodec.readData(info.name(), type, value, (int) n));
  }

  static byte[] write(boolean rows, List<Tensor> outputs) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = TensorCodec.generator(out)) {
      g.writeStartObject();
      if (rows) {
        g.writeArrayFieldStart("predictions");
        long n =
            outputs.isEmpty() || outputs.get(0).shape().length == 0 ? 0 : outputs.get(0).shape()[0];
        for (int row = 0; row < n; row++) {
          if (outputs.size() == 1) {
            writeRow(g, outputs.get(0), row);
          } else {
            g.writeStartObject();
            for (Tensor t : outputs) {
              g.writeFieldName(t.name());
              writeRow(g, t, row);
            }
            g.writeEndObject();
          }
        }
        g.writeEndArray();
      } else {
        g.writeFieldName("outputs");
        if (outputs.size() == 1) {
          TensorCodec.writeData(g, outputs.get(0));
        } else {
          g.writeStartObject();
          for (Tensor t : outputs) {
            g.writeFieldName(t.name());
            TensorCodec.writeData(g, t);
          }
          // (PIT: removing this is equivalent: the next end, or closing, ends it)
          g.writeEndObject();
        }
      }
      // (PIT: removing this is equivalent: closing the generator ends any open object)
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeRow(JsonGenerator g, Tensor t, int row) throws IOException {
    int rowSize = t.shape()[0] == 0 ? 0 : t.size() / (int) t.shape()[0];
    TensorCodec.writeNested(g, t, 1, row * rowSize, (row + 1) * rowSize);
  }

  /** TF Serving's GetModelStatusResponse: one AVAILABLE entry per loaded version. */
  static JsonObject status(List<Long> versions) {
    JsonArray entries = new JsonArray();
    for (long v : versions) {
      entries.add(
          new JsonObject()
              .put("version", Long.toString(v))
              .put("state", "AVAILABLE")
              .put("status", new JsonObject().put("error_code", "OK").put("error_message", "")));
    }
    return new JsonObject().put("model_version_status", entries);
  }
}
