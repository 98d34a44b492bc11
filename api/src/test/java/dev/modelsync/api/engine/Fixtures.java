package dev.modelsync.api.engine;

import dev.modelsync.events.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed TorchScript and XGBoost fixtures (see their generators) and their manifests. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code torchscript/v<version>.pt}: [1, 2, 3, 4] answers [10, 11, 12] * version. */
  public static byte[] torchscript(int version) throws IOException {
    return resource("torchscript/v" + version + ".pt");
  }

  /**
   * {@code xgboost/v<version>.<ext>}: rows starting with 1 answer 10 * version, with 0 answer 0.
   */
  public static byte[] xgboost(int version, String ext) throws IOException {
    return resource("xgboost/v" + version + "." + ext);
  }

  /** What the Python helper writes for a TorchScript module: engine, file and signature. */
  public static Manifest torchManifest(String file) {
    return new Manifest(
        PyTorchLoader.ENGINE,
        file,
        List.of(new Manifest.TensorSpec("input", "FP32", List.of(-1L, 4L))),
        List.of(new Manifest.TensorSpec("output", "FP32", List.of(-1L, 3L))),
        null,
        null,
        null,
        null);
  }

  /** Writes {@code bytes} as {@code dir/file}, creating {@code dir}. */
  public static Path write(Path dir, String file, byte[] bytes) throws IOException {
    Files.createDirectories(dir);
    return Files.write(dir.resolve(file), bytes);
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = Fixtures.class.getResourceAsStream("/models/" + path)) {
      if (in == null) {
        throw new IOException("no test resource models/" + path);
      }
      return in.readAllBytes();
    }
  }
}
