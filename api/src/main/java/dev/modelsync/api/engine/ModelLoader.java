package dev.modelsync.api.engine;

import dev.modelsync.events.Manifest;
import java.nio.file.Path;
import java.util.Set;

/** Loads model files of one engine. The seam PyTorch and XGBoost loaders plug into. */
public interface ModelLoader {

  /** The DJL engine name this loader serves, such as {@code OnnxRuntime}. */
  String engine();

  /** File extensions (without dot) this engine loads, to choose a loader without a manifest. */
  Set<String> extensions();

  /**
   * Loads a version from its directory.
   *
   * @param name model name, for logs and the engine's own naming
   * @param dir the version directory inside the store
   * @param manifest the version's manifest; may be null
   */
  LoadedModel load(String name, Path dir, Manifest manifest) throws ModelLoadException;
}
