package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Manifest;
import dev.modelsync.onnx.OnnxModelWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {
  @TempDir Path dir;

  @BeforeAll
  static void offline() {
    DjlEngines.configure();
  }

  static Tensor row(float... x) {
    return new Tensor("input", DataType.FP32, new long[] {x.length / 4, 4}, x);
  }

  @Test
  @DisplayName("a TorchScript module with model.json loads, answers, and reports its signature")
  void torchScript() throws Exception {
    Fixtures.write(dir, "model.pt", Fixtures.torchscript(2));
    try (LoadedModel m = new PyTorchLoader().load("t", dir, Fixtures.torchManifest("model.pt"))) {
      assertEquals("pytorch_torchscript", m.platform());
      assertEquals(List.of(new TensorInfo("input", "FP32", new long[] {-1, 4})), m.inputs());
      assertEquals(List.of(new TensorInfo("output", "FP32", new long[] {-1, 3})), m.outputs());
      Tensor out = m.predict(List.of(row(1, 2, 3, 4, 0, 0, 0, 0)), List.of()).get(0);
      assertEquals("output", out.name());
      assertArrayEquals(new long[] {2, 3}, out.shape());
      assertArrayEquals(new float[] {20, 22, 24, 0, 2, 4}, (float[]) out.data());
    }
  }

  @Test
  @DisplayName("TorchScript and XGBoost versions answer right from several threads at once")
  void concurrentPredicts() throws Exception {
    Fixtures.write(dir.resolve("pt"), "model.pt", Fixtures.torchscript(1));
    Fixtures.write(dir.resolve("xgb"), "model.ubj", Fixtures.xgboost(1, "ubj"));
    try (LoadedModel pt =
            new PyTorchLoader().load("t", dir.resolve("pt"), Fixtures.torchManifest(null));
        LoadedModel xgb = new XGBoostLoader().load("x", dir.resolve("xgb"), null)) {
      var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<Boolean>> runs = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
          float x = i % 7;
          runs.add(
              pool.submit(
                  () -> {
                    float[] p =
                        (float[]) pt.predict(List.of(row(x, 0, 0, 0)), List.of()).get(0).data();
                    float[] q =
                        (float[])
                            xgb.predict(List.of(row(x > 0 ? 1 : 0, 0, 0, 0)), List.of())
                                .get(0)
                                .data();
                    return p[0] == x && p[2] == x + 2 && q[0] == (x > 0 ? 10 : 0);
                  }));
        }
        for (var run : runs) {
          assertTrue(run.get());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  @DisplayName("without declared outputs a TorchScript module's outputs come from a probe run")
  void torchScriptProbedOutputs() throws Exception {
    Fixtures.write(dir, "m.torchscript", Fixtures.torchscript(1));
    Manifest declared = Fixtures.torchManifest(null);
    Manifest inputsOnly =
        new Manifest("PyTorch", null, declared.inputs(), null, null, null, null, null);
    try (LoadedModel m = new PyTorchLoader().load("t", dir, inputsOnly)) {
      assertEquals(List.of(new TensorInfo("output", "FP32", new long[] {-1, 3})), m.outputs());
    }
  }

  @Test
  @DisplayName("a TorchScript file without model.json fails with the reason: no signature")
  void torchScriptNeedsSignature() throws Exception {
    Fixtures.write(dir, "model.pt", Fixtures.torchscript(1));
    var e = assertThrows(ModelLoadException.class, () -> new PyTorchLoader().load("t", dir, null));
    assertTrue(e.getMessage().contains("model.json"), e.getMessage());
  }

  @Test
  @DisplayName("XGBoost .json and .ubj boosters load without model.json, signature read from them")
  void xgboost() throws Exception {
    for (String ext : List.of("json", "ubj")) {
      Path version = dir.resolve(ext);
      Fixtures.write(version, "booster." + ext, Fixtures.xgboost(1, ext));
      try (LoadedModel m = new XGBoostLoader().load("x", version, null)) {
        assertEquals("xgboost", m.platform());
        assertEquals(List.of(new TensorInfo("input", "FP32", new long[] {-1, 4})), m.inputs());
        assertEquals(List.of(new TensorInfo("output", "FP32", new long[] {-1})), m.outputs());
        Tensor out = m.predict(List.of(row(1, 2, 3, 4, 0, 2, 3, 4)), List.of()).get(0);
        assertArrayEquals(new long[] {2}, out.shape());
        assertArrayEquals(new float[] {10, 0}, (float[]) out.data());
      }
    }
  }

  @Test
  @DisplayName("the registry picks engines by extension, never taking model.json for a booster")
  void registryByExtension() throws Exception {
    EngineRegistry registry = new EngineRegistry(EngineRegistry.standardLoaders(1));
    Fixtures.write(dir, "model.json", "{}".getBytes());
    Fixtures.write(dir, "model.pt", Fixtures.torchscript(1));
    assertEquals("PyTorch", registry.choose(dir, null, null).engine());
    Path xgb = dir.resolve("x");
    Fixtures.write(xgb, "booster.ubj", Fixtures.xgboost(1, "ubj"));
    assertEquals("XGBoost", registry.choose(xgb, null, null).engine());
    var e = assertThrows(ModelLoadException.class, () -> registry.choose(dir, "TensorFlow", null));
    assertTrue(e.getMessage().contains("'TensorFlow' is not available"), e.getMessage());
  }

  @Test
  @DisplayName(
      "the registry counts DJL's open NDManagers and ONNX Runtime sessions, and closing a version"
          + " releases both")
  void countsOpenNativeResources() throws Exception {
    EngineRegistry registry = new EngineRegistry(EngineRegistry.standardLoaders(1));
    Fixtures.write(dir.resolve("a"), "model.onnx", OnnxModelWriter.affine(1f));
    Fixtures.write(dir.resolve("b"), "model.onnx", OnnxModelWriter.affine(2f));
    Fixtures.write(dir.resolve("pt"), "model.pt", Fixtures.torchscript(1));
    LoadedModel a = registry.load("a", dir.resolve("a"), null, null);
    LoadedModel b = registry.load("b", dir.resolve("b"), null, null);
    LoadedModel pt = registry.load("pt", dir.resolve("pt"), null, Fixtures.torchManifest(null));
    // DJL's system managers are per process: count from what other tests left open
    double managers = registry.ndManagersOpen();
    double sessions = registry.ortSessionsOpen();
    assertTrue(managers >= 3 && sessions >= 2, managers + " managers, " + sessions + " sessions");
    pt.predict(List.of(row(1, 2, 3, 4)), List.of()); // a sub-manager for the call, closed after
    a.predict(List.of(row(1, 2, 3, 4)), List.of());
    assertEquals(managers, registry.ndManagersOpen());
    a.close();
    pt.close();
    assertEquals(managers - 2, registry.ndManagersOpen());
    assertEquals(sessions - 1, registry.ortSessionsOpen());
    b.close();
    assertEquals(managers - 3, registry.ndManagersOpen());
    assertEquals(sessions - 2, registry.ortSessionsOpen());
    assertEquals(0, registry.openCount());
  }

  @Test
  @DisplayName("an engine missing from the class path is a clear load failure naming what to add")
  void missingEngine() {
    var e =
        assertThrows(
            ModelLoadException.class,
            () -> DjlEngines.require("NoSuchEngine", "ai.example:engine", "example"));
    assertEquals(
        "engine NoSuchEngine is not available in this build: add ai.example:engine to the class"
            + " path (build the api with -Pexample, see README.md, Engines)",
        e.getMessage());
  }
}
