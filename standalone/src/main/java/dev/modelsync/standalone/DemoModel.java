package dev.modelsync.standalone;

import dev.modelsync.onnx.OnnxModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The model written into an empty models directory on first run, so that the README's curl answers
 * at once: {@code demo}, a 4→3 affine model answering {@code output[j] = sum(x) + j}. It is saved
 * the way the notebook helper saves: into a hidden temporary directory, {@code model.json} last,
 * then renamed into place.
 */
final class DemoModel {
  static final String NAME = "demo";

  private DemoModel() {}

  /** Writes {@code demo/1} when the directory has no models; returns whether it did. */
  static boolean writeIfEmpty(Path modelsDir) throws IOException {
    try (Stream<Path> entries = Files.list(modelsDir)) {
      if (entries.anyMatch(p -> !p.getFileName().toString().startsWith("."))) {
        return false;
      }
    }
    save(modelsDir, NAME, 1, OnnxModelWriter.affine(1f));
    return true;
  }

  /**
   * Saves an ONNX model as {@code <name>/<version>/} atomically, with a manifest; returns {@link
   * System#nanoTime()} taken just before the rename, where save-to-serve clocks start.
   */
  static long save(Path modelsDir, String name, long version, byte[] onnx) throws IOException {
    Path modelDir = Files.createDirectories(modelsDir.resolve(name));
    Path tmp = Files.createTempDirectory(modelDir, ".tmp-");
    Files.write(tmp.resolve("model.onnx"), onnx);
    Files.writeString(tmp.resolve("model.json"), MANIFEST);
    long renamedAt = System.nanoTime();
    Files.move(tmp, modelDir.resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
    return renamedAt;
  }

  private static final String MANIFEST =
      """
      {
        "engine": "OnnxRuntime",
        "file": "model.onnx",
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}],
        "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 3]}],
        "example": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}],
        "metadata": {"description": "output[j] = sum(input) + j for the demo; scale * (sum(input) + j) in general"}
      }
      """;
}
