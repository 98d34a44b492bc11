package dev.modelsync.api.engine;

import ai.onnxruntime.OrtSession;
import dev.modelsync.onnx.OnnxModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code bench.OnnxRunBenchmark} needs from this package: the affine model and its session.
 */
public final class OnnxBench {
  private OnnxBench() {}

  /** The 4 -> 3 affine model, loaded as the api loads it. */
  public static LoadedModel affine() throws Exception {
    DjlEngines.configure();
    Path dir = Files.createTempDirectory("modelsync-onnx-run");
    Fixtures.write(dir, "model.onnx", OnnxModelWriter.affine(1f));
    return new OnnxRuntimeLoader(1).load("bench", dir, null);
  }

  /** The ONNX Runtime session behind a model {@link #affine} loaded. */
  public static OrtSession session(LoadedModel model) {
    return ((OnnxModel) model).session();
  }
}
