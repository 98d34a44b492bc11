package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.Fixtures;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TorchScript and XGBoost versions saved, served, swapped and described, like ONNX ones. */
@ExtendWith(HarnessExtension.class)
class EnginesServeTest {
  Harness h;

  @BeforeEach
  void harness(Harness h) {
    this.h = h;
  }

  /** Writes one model file (and the manifest, if any) into the store and publishes the save. */
  void save(String name, long version, String file, byte[] bytes, String engine, Manifest manifest)
      throws Exception {
    Path dir = h.store.resolve(name).resolve(Long.toString(version));
    Fixtures.write(dir, file, bytes);
    if (manifest != null) {
      Fixtures.write(
          dir,
          Manifest.FILE_NAME,
          dev.modelsync.events.Json.newMapper().writeValueAsBytes(manifest));
    }
    h.publish(
        new ModelSaved(
            name,
            version,
            Digests.ofDirectory(dir),
            bytes.length,
            engine,
            List.of(new ModelSaved.FileEntry(file, bytes.length, "")),
            name + "/" + version,
            manifest,
            Instant.now(),
            null));
  }

  JsonObject metadata(Api api, String model) throws Exception {
    var r = h.get(api, "/v2/models/" + model);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonArray tensor(String name, String datatype, long... shape) {
    JsonArray s = new JsonArray();
    for (long d : shape) {
      s.add(d);
    }
    return new JsonArray()
        .add(new JsonObject().put("name", name).put("datatype", datatype).put("shape", s));
  }

  @Test
  @DisplayName("a TorchScript v1 answers, v2 swaps in, and metadata names pytorch_torchscript")
  void torchScript() throws Exception {
    Api api = h.startApi();
    save(
        "pt",
        1,
        "model.pt",
        Fixtures.torchscript(1),
        "PyTorch",
        Fixtures.torchManifest("model.pt"));
    h.awaitAnswer(api, "pt", 1f);
    save(
        "pt",
        2,
        "model.pt",
        Fixtures.torchscript(2),
        "PyTorch",
        Fixtures.torchManifest("model.pt"));
    h.awaitAnswer(api, "pt", 2f);
    JsonObject meta = metadata(api, "pt");
    assertEquals("pytorch_torchscript", meta.getString("platform"));
    assertEquals(tensor("input", "FP32", -1, 4), meta.getJsonArray("inputs"));
    assertEquals(tensor("output", "FP32", -1, 3), meta.getJsonArray("outputs"));
  }

  @Test
  @DisplayName("an XGBoost booster without model.json answers, swaps, and reports what it read")
  void xgboost() throws Exception {
    Api api = h.startApi();
    save("xgb", 1, "model.ubj", Fixtures.xgboost(1, "ubj"), "XGBoost", null);
    awaitXgb(api, 10f);
    save("xgb", 2, "booster.json", Fixtures.xgboost(2, "json"), "XGBoost", null);
    awaitXgb(api, 20f);
    JsonObject meta = metadata(api, "xgb");
    assertEquals("xgboost", meta.getString("platform"));
    assertEquals(tensor("input", "FP32", -1, 4), meta.getJsonArray("inputs"));
    assertEquals(tensor("output", "FP32", -1), meta.getJsonArray("outputs"));
    var tf =
        h.post(
            api,
            "/v1/models/xgb:predict",
            new JsonObject()
                .put(
                    "instances", new JsonArray().add(new JsonArray().add(1).add(0).add(0).add(0))));
    assertEquals(200, tf.statusCode(), tf.bodyAsString());
    assertEquals(20.0, tf.bodyAsJsonObject().getJsonArray("predictions").getDouble(0));
  }

  void awaitXgb(Api api, float answer) throws InterruptedException {
    Harness.eventually(
        "xgb answering " + answer,
        () -> {
          try {
            return Harness.numbers(h.infer(api, "xgb")).equals(List.of((double) answer));
          } catch (Exception | AssertionError e) {
            return false;
          }
        });
  }

  @Test
  @DisplayName("ONNX metadata comes from the model; a model.json naming a missing engine fails")
  void onnxMetadataAndMissingEngine() throws Exception {
    Api api = h.startApi();
    h.save("onnx", 1, 1f);
    h.awaitAnswer(api, "onnx", 1f);
    JsonObject meta = metadata(api, "onnx");
    assertEquals("onnxruntime_onnx", meta.getString("platform"));
    assertEquals("input", meta.getJsonArray("inputs").getJsonObject(0).getString("name"));
    assertEquals(1, meta.getJsonArray("outputs").size());

    Manifest tf = new Manifest("TensorFlow", "saved_model.pb", null, null, null, null, null, null);
    save(
        "tf",
        1,
        "saved_model.pb",
        "not a graph".getBytes(StandardCharsets.UTF_8),
        "TensorFlow",
        tf);
    var failed =
        h.awaitStatus(
            "load_failed of tf",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("tf"));
    assertTrue(failed.reason().contains("engine 'TensorFlow' is not available"), failed.reason());

    save("nosig", 1, "model.pt", Fixtures.torchscript(1), "PyTorch", null);
    var nosig =
        h.awaitStatus(
            "load_failed of nosig",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("nosig"));
    assertTrue(nosig.reason().contains("model.json"), nosig.reason());
    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "onnx")));
  }
}
