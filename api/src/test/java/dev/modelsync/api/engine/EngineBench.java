package dev.modelsync.api.engine;

import dev.modelsync.events.Manifest;
import dev.modelsync.onnx.OnnxModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine's figures for {@code bench.EngineBenchmark}: load and infer times of a small model.
 */
public final class EngineBench {
  /**
   * @param firstLoadMs the first load in this process, engine start included
   * @param loadP50Ms median of the later loads
   * @param inferP50Us median of single-row predicts, in microseconds
   * @param inferP99Us 99th percentile of single-row predicts, in microseconds
   */
  public record Figures(
      String engine,
      String model,
      double firstLoadMs,
      double loadP50Ms,
      double inferP50Us,
      double inferP99Us) {}

  private EngineBench() {}

  /** Loads each engine's fixture {@code loads} times and predicts one row {@code infers} times. */
  public static List<Figures> run(int loads, int infers) throws Exception {
    DjlEngines.configure();
    Path root = Files.createTempDirectory("modelsync-engine-bench");
    Path onnx = root.resolve("onnx");
    Fixtures.write(onnx, "model.onnx", OnnxModelWriter.affine(1f));
    Path pt = root.resolve("pt");
    Fixtures.write(pt, "model.pt", Fixtures.torchscript(1));
    Path xgb = root.resolve("xgb");
    Fixtures.write(xgb, "model.ubj", Fixtures.xgboost(1, "ubj"));
    return List.of(
        measure(new OnnxRuntimeLoader(1), "affine 4->3 (.onnx)", onnx, null, loads, infers),
        measure(
            new PyTorchLoader(),
            "Linear(4, 3) (.pt)",
            pt,
            Fixtures.torchManifest("model.pt"),
            loads,
            infers),
        measure(new XGBoostLoader(), "1 tree, 4 features (.ubj)", xgb, null, loads, infers));
  }

  private static Figures measure(
      ModelLoader loader, String what, Path dir, Manifest manifest, int loads, int infers)
      throws Exception {
    List<Long> loadNanos = new ArrayList<>();
    for (int i = 0; i < loads; i++) {
      long t = System.nanoTime();
      LoadedModel m = loader.load("bench", dir, manifest);
      loadNanos.add(System.nanoTime() - t);
      m.close();
    }
    List<Tensor> row =
        List.of(new Tensor("input", DataType.FP32, new long[] {1, 4}, new float[] {1, 2, 3, 4}));
    List<Long> inferNanos = new ArrayList<>();
    try (LoadedModel m = loader.load("bench", dir, manifest)) {
      for (int i = 0; i < infers / 10; i++) {
        m.predict(row, List.of()); // warm up
      }
      for (int i = 0; i < infers; i++) {
        long t = System.nanoTime();
        m.predict(row, List.of());
        inferNanos.add(System.nanoTime() - t);
      }
    }
    List<Long> later = new ArrayList<>(loadNanos.subList(1, loadNanos.size()));
    return new Figures(
        loader.engine(),
        what,
        loadNanos.get(0) / 1e6,
        pct(later, 50) / 1e6,
        pct(inferNanos, 50) / 1e3,
        pct(inferNanos, 99) / 1e3);
  }

  private static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(Long::compare);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
