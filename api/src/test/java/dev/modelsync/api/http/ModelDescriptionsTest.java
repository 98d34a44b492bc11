package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Triton's model configuration and TF Serving's metadata, built from a signature. */
class ModelDescriptionsTest {
  /** Only a signature: these descriptions never run the model. */
  record Signature(List<TensorInfo> inputs, List<TensorInfo> outputs) implements LoadedModel {
    @Override
    public String platform() {
      return "onnxruntime_onnx";
    }

    @Override
    public List<Tensor> predict(List<Tensor> in, List<String> out) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  static TensorInfo t(String name, String type, long... shape) {
    return new TensorInfo(name, type, shape);
  }

  @Test
  @DisplayName("a batching model: max_batch_size from the tensor limit, dims without the batch")
  void batching() {
    var model = new Signature(List.of(t("x", "FP32", -1, 4)), List.of(t("y", "INT64", -1, 3)));
    JsonObject c = TritonHandlers.config("m", model, 64L << 20);
    assertEquals("m", c.getString("name"));
    assertEquals("onnxruntime", c.getString("backend"));
    // 64 MiB / (4 values a row x 8 bytes a value, as the parser counts)
    assertEquals((64 << 20) / 32, c.getInteger("max_batch_size"));
    JsonObject x = c.getJsonArray("input").getJsonObject(0);
    assertEquals("TYPE_FP32", x.getString("data_type"));
    assertEquals(new JsonArray().add(4), x.getJsonArray("dims"));
    JsonObject y = c.getJsonArray("output").getJsonObject(0);
    assertEquals("TYPE_INT64", y.getString("data_type"));
    assertEquals(new JsonArray().add(3), y.getJsonArray("dims"));
    assertTrue(c.containsKey("dynamic_batching"));
  }

  @Test
  @DisplayName("a fixed first dimension: max_batch_size 0 and the full dims, as Triton")
  void notBatching() {
    var model = new Signature(List.of(t("x", "FP32", 1, 4)), List.of(t("y", "FP32", -1, 3)));
    JsonObject c = TritonHandlers.config("m", model, 64L << 20);
    assertEquals(0, c.getInteger("max_batch_size"));
    assertEquals(
        new JsonArray().add(1).add(4),
        c.getJsonArray("input").getJsonObject(0).getJsonArray("dims"));
    assertEquals(
        new JsonArray().add(-1).add(3),
        c.getJsonArray("output").getJsonObject(0).getJsonArray("dims"));
    assertFalse(c.containsKey("dynamic_batching"));
  }

  @Test
  @DisplayName("an input with another free dimension does not bound the batch; a tiny limit is 1")
  void bounds() {
    var free = new Signature(List.of(t("x", "FP32", -1, -1)), List.of(t("y", "FP32", -1)));
    assertEquals(
        Integer.MAX_VALUE, TritonHandlers.config("m", free, 1 << 20).getInteger("max_batch_size"));
    var wide = new Signature(List.of(t("x", "FP64", -1, 1000)), List.of(t("y", "FP32", -1)));
    assertEquals(1, TritonHandlers.config("m", wide, 100).getInteger("max_batch_size"));
  }

  @Test
  @DisplayName("datatype names: Triton's TYPE_*, BYTES as TYPE_STRING; TensorFlow's DT_*")
  void typeNames() {
    assertEquals("TYPE_STRING", TritonHandlers.tritonType("BYTES"));
    assertEquals("TYPE_UINT8", TritonHandlers.tritonType("UINT8"));
    assertEquals("TYPE_FP16", TritonHandlers.tritonType("FP16"));
    assertEquals("TYPE_BOOL", TritonHandlers.tritonType("BOOL"));
    assertEquals("DT_FLOAT", TfServingHandlers.tfType("FP32"));
    assertEquals("DT_DOUBLE", TfServingHandlers.tfType("FP64"));
    assertEquals("DT_HALF", TfServingHandlers.tfType("FP16"));
    assertEquals("DT_STRING", TfServingHandlers.tfType("BYTES"));
    assertEquals("DT_UINT8", TfServingHandlers.tfType("UINT8"));
    assertEquals("DT_INVALID", TfServingHandlers.tfType("COMPLEX64"));
  }

  @Test
  @DisplayName("TF Serving metadata: serving_default, dims as strings, the version asked for")
  void tfMetadata() {
    var model = new Signature(List.of(t("text", "BYTES", -1)), List.of(t("y", "FP32", -1, 2)));
    JsonObject m = TfServingHandlers.metadata("m", 7, model);
    assertEquals("7", m.getJsonObject("model_spec").getString("version"));
    JsonObject def =
        m.getJsonObject("metadata")
            .getJsonObject("signature_def")
            .getJsonObject("signature_def")
            .getJsonObject("serving_default");
    JsonObject text = def.getJsonObject("inputs").getJsonObject("text");
    assertEquals("DT_STRING", text.getString("dtype"));
    assertEquals(
        "[{\"size\":\"-1\",\"name\":\"\"}]",
        text.getJsonObject("tensor_shape").getJsonArray("dim").encode());
    assertEquals(
        "{\"dim\":[{\"size\":\"-1\",\"name\":\"\"},{\"size\":\"2\",\"name\":\"\"}],\"unknown_rank\":false}",
        def.getJsonObject("outputs").getJsonObject("y").getJsonObject("tensor_shape").encode());
  }
}
