package dev.modelsync.events;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The engines a model event names ({@link ModelSaved#engine()}, {@link Manifest#engine()}), and the
 * model file extensions that imply each when no {@code model.json} names one. The agent reads it to
 * fill a save's engine; the api's loaders read it to find their model file. The JSON Schemas list
 * the same names.
 */
public final class Engines {
  public static final String ONNX_RUNTIME = "OnnxRuntime";
  public static final String PYTORCH = "PyTorch";
  public static final String XGBOOST = "XGBoost";

  /** Model file extension (lower case, without the dot) → the engine it implies. */
  public static final Map<String, String> BY_EXTENSION =
      Map.of(
          "onnx", ONNX_RUNTIME,
          "pt", PYTORCH,
          "torchscript", PYTORCH,
          "json", XGBOOST,
          "ubj", XGBOOST);

  private Engines() {}

  /** Every engine name, sorted. */
  public static Set<String> names() {
    return Set.copyOf(new TreeSet<>(BY_EXTENSION.values()));
  }

  /** The engine a file extension (without the dot, any case) implies; empty for any other. */
  public static Optional<String> ofExtension(String extension) {
    return Optional.ofNullable(BY_EXTENSION.get(extension.toLowerCase(Locale.ROOT)));
  }

  /** The extensions of {@code engine}'s model files; empty for an engine not in the table. */
  public static Set<String> extensionsOf(String engine) {
    Set<String> extensions = new TreeSet<>();
    BY_EXTENSION.forEach(
        (extension, name) -> {
          if (name.equals(engine)) {
            extensions.add(extension);
          }
        });
    return Set.copyOf(extensions);
  }
}
