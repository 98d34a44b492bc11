package dev.modelsync.api.http;

import dev.modelsync.api.engine.RawTensors;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.util.List;

/** The KServe v2 inference request and response bodies. */
final class KServeCodec {
  private KServeCodec() {}

  /** A parsed inference request; {@code outputs} empty means all. */
  record InferRequest(
      String id, List<Tensor> inputs, List<String> outputs, BinaryTensors.Outputs binary) {}

  /** Largest tensor a request may carry unless configured otherwise. */
  static final long DEFAULT_MAX_TENSOR_BYTES = 64L << 20;

  static InferRequest parseInfer(byte[] body, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    return parseInfer(body, inputs, outputs, DEFAULT_MAX_TENSOR_BYTES);
  }

  /**
   * Parses a request, or fails with an {@link ApiError} (400) saying what is wrong; tensors over
   * {@code maxTensorBytes} are refused before their arrays are allocated.
   */
  static InferRequest parseInfer(
      byte[] body, List<TensorInfo> inputs, List<TensorInfo> outputs, long maxTensorBytes) {
    int length = body == null ? 0 : body.length;
    return KServeParser.parse(body, length, inputs, outputs, maxTensorBytes);
  }

  /**
   * Parses a request of the binary tensor extension: {@code binaryHeader} is its {@code
   * Inference-Header-Content-Length} header, or null for a plain JSON body.
   */
  static InferRequest parseInfer(
      byte[] body,
      String binaryHeader,
      List<TensorInfo> inputs,
      List<TensorInfo> outputs,
      long maxTensorBytes) {
    if (body == null || body.length == 0) {
      throw ApiError.badRequest("the request body is empty; expected a JSON object");
    }
    int json = BinaryTensors.jsonLength(binaryHeader, body.length);
    return KServeParser.parse(body, json, inputs, outputs, maxTensorBytes);
  }

  /**
   * The inference answer, written by hand: for small tensors a Jackson generator per answer cost
   * twice the model run.
   */
  static byte[] writeInfer(String model, long version, String id, List<Tensor> outputs) {
    return writeInfer(model, version, id, outputs, BinaryTensors.Outputs.NONE).body();
  }

  /**
   * The answer with the outputs {@code binary} names as raw bytes after the JSON, which then ends
   * at {@link BinaryTensors.Answer#jsonLength()}.
   */
  static BinaryTensors.Answer writeInfer(
      String model, long version, String id, List<Tensor> outputs, BinaryTensors.Outputs binary) {
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
      if (binary.binary(t.name())) {
        out.append("],\"parameters\":{\"binary_data_size\":").append(RawTensors.size(t));
        out.append("}}");
        continue;
      }
      out.append("],\"data\":");
      JsonText.flat(out, t);
      out.append('}');
    }
    out.append("]}");
    byte[] json = JsonText.bytes(out);
    return binary.any(outputs)
        ? BinaryTensors.answer(json, outputs, binary)
        : BinaryTensors.json(json);
  }
}
