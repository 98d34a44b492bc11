package dev.modelsync.api.engine;

import dev.modelsync.events.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the loader of a version: by the engine the event or manifest names, else by the extension
 * of its model file. An engine this build lacks is a clear load failure.
 */
public final class EngineRegistry {
  private final Map<String, ModelLoader> byEngine = new LinkedHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final DjlResources djl = new DjlResources();

  public EngineRegistry(List<ModelLoader> loaders) {
    for (ModelLoader loader : loaders) {
      byEngine.put(loader.engine().toLowerCase(Locale.ROOT), loader);
    }
  }

  /**
   * ONNX Runtime, PyTorch and XGBoost. The last two load only when their DJL engine is on the class
   * path (see README.md, Engines); otherwise their models fail to load with a clear reason.
   *
   * @param ortIntraOpThreads ONNX Runtime intra-op threads per session; 0 = its default
   */
  public static List<ModelLoader> standardLoaders(int ortIntraOpThreads) {
    DjlEngines.configure();
    return List.of(
        new OnnxRuntimeLoader(ortIntraOpThreads), new PyTorchLoader(), new XGBoostLoader());
  }

  /** Loads a version; the model counts as open until it is closed. */
  public LoadedModel load(String name, Path dir, String engine, Manifest manifest)
      throws ModelLoadException {
    LoadedModel loaded = choose(dir, engine, manifest).load(name, dir, manifest);
    if (loaded instanceof DjlBacked backed) {
      djl.track(backed.djlModel());
    }
    return new OpenModel(loaded, open);
  }

  /** Models loaded and not closed yet: each holds an engine session and its native memory. */
  public int openCount() {
    return open.get();
  }

  /**
   * NDManagers open under the DJL engines' system managers: one per open DJL model, plus one per
   * request running on a PyTorch or XGBoost version. More means a manager was never closed.
   */
  public double ndManagersOpen() {
    return djl.ndManagers();
  }

  /** ONNX Runtime sessions DJL holds open: one per open ONNX version. */
  public double ortSessionsOpen() {
    return djl.ortSessions();
  }

  ModelLoader choose(Path dir, String engine, Manifest manifest) throws ModelLoadException {
    String wanted = engine;
    if ((wanted == null || wanted.isBlank()) && manifest != null) {
      wanted = manifest.engine();
    }
    if (wanted != null && !wanted.isBlank()) {
      ModelLoader loader = byEngine.get(wanted.toLowerCase(Locale.ROOT));
      if (loader == null) {
        throw new ModelLoadException(
            "engine '"
                + wanted
                + "' is not available in this server; it knows "
                + byEngine.values().stream().map(ModelLoader::engine).toList());
      }
      return loader;
    }
    try {
      for (String file : dev.modelsync.events.Digests.listFiles(dir)) {
        if (file.equals(Manifest.FILE_NAME)) {
          continue; // the manifest, not an XGBoost booster
        }
        String ext = ModelFiles.extension(file);
        for (ModelLoader loader : byEngine.values()) {
          if (loader.extensions().contains(ext)) {
            return loader;
          }
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    throw new ModelLoadException("no engine recognises any file in " + dir);
  }
}
