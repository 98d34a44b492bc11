package dev.modelsync.api.engine;

import ai.djl.engine.Engine;

/** Whether a DJL engine is on the class path, and what to add when it is not. */
final class DjlEngines {
  private DjlEngines() {}

  /**
   * DJL settings every process of this project wants, unless set already: never try the network,
   * and never start a second engine for NDArray operations (with PyTorch on the class path, ONNX
   * Runtime and XGBoost would otherwise pick it as their "alternative" and unpack its natives).
   */
  static void configure() {
    for (String key :
        new String[] {
          "ai.djl.offline", "ai.djl.onnx.disable_alternative", "ai.djl.xgboost.disable_alternative"
        }) {
      if (System.getProperty(key) == null) {
        System.setProperty(key, "true");
      }
    }
  }

  /**
   * Fails with the reason published in model.load_failed when {@code engine} is not in this build.
   *
   * @param artifacts the Maven artifacts that bring the engine, for the message
   * @param profile the Maven profile of this project that adds them
   */
  static void require(String engine, String artifacts, String profile) throws ModelLoadException {
    boolean present;
    try {
      present = Engine.hasEngine(engine);
    } catch (RuntimeException | LinkageError e) {
      present = false;
    }
    if (!present) {
      throw new ModelLoadException(unavailable(engine, artifacts, profile));
    }
  }

  static String unavailable(String engine, String artifacts, String profile) {
    return "engine "
        + engine
        + " is not available in this build: add "
        + artifacts
        + " to the class path (build the api with -P"
        + profile
        + ", see README.md, Engines)";
  }
}
