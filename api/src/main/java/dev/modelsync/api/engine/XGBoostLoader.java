package dev.modelsync.api.engine;

import ai.djl.Model;
import dev.modelsync.events.Engines;
import dev.modelsync.events.Manifest;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads XGBoost boosters ({@code .json}, {@code .ubj}; never {@code model.json}, the manifest) with
 * DJL's XGBoost engine, when the build carries it. Without a declared signature the input is {@code
 * input: FP32 [-1, num_feature]} read from the booster, and the output {@code output: FP32 [-1]}
 * (or {@code [-1, k]} for k values per row), from a probe run.
 */
public final class XGBoostLoader implements ModelLoader {
  public static final String ENGINE = Engines.XGBOOST;
  static final String ARTIFACTS = "ai.djl.ml.xgboost:xgboost";

  @Override
  public String engine() {
    return ENGINE;
  }

  @Override
  public Set<String> extensions() {
    return Engines.extensionsOf(ENGINE);
  }

  /** Any number: inputs go into XGBoost's DMatrix as FP32. */
  static final Set<DataType> TYPES = EnumSet.complementOf(EnumSet.of(DataType.BYTES));

  @Override
  public LoadedModel load(String name, Path dir, Manifest manifest) throws ModelLoadException {
    DjlEngines.require(ENGINE, ARTIFACTS, "xgboost");
    String file = ModelFiles.pick(dir, manifest, extensions());
    if (file.equals(Manifest.FILE_NAME)) {
      throw new ModelLoadException(
          "model.json is the manifest; save the booster under another name (model.ubj)");
    }
    Model model;
    try {
      model = Model.newInstance(name, ENGINE);
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          "engine XGBoost failed to start: " + OnnxRuntimeLoader.rootMessage(e), e);
    }
    try {
      model.load(dir, file, Map.of());
      long features = prepare(model);
      List<TensorInfo> inputs = Signatures.inputs(manifest);
      if (inputs.isEmpty()) {
        inputs = List.of(new TensorInfo("input", "FP32", new long[] {-1, features}));
      }
      Signatures.requireTypes(inputs, "input", TYPES, ENGINE);
      DjlModel loaded =
          new DjlModel(
              model, "xgboost", DjlModel.Flavor.XGBOOST, inputs, Signatures.outputs(manifest));
      loaded.probe();
      return loaded;
    } catch (Exception | LinkageError e) {
      model.close();
      throw new ModelLoadException(
          "not a loadable XGBoost booster (" + file + "): " + OnnxRuntimeLoader.rootMessage(e), e);
    }
  }

  /**
   * The booster's feature count, and one thread per prediction: requests already run in parallel,
   * and XGBoost's default (a thread per core, spinning) measured a p99 above 100 ms for one row on
   * a busy 2-core host. DJL exposes neither; xgboost4j's JNI class (bundled in DJL's engine jar,
   * package-private) does, so it is reached reflectively.
   */
  private static long prepare(Model model) throws ReflectiveOperationException {
    Object block = model.getBlock();
    long handle = (Long) block.getClass().getMethod("getHandle").invoke(block);
    Class<?> jni =
        Class.forName("ml.dmlc.xgboost4j.java.XGBoostJNI", true, block.getClass().getClassLoader());
    check(
        jni.getDeclaredMethod("XGBoosterSetParam", long.class, String.class, String.class),
        handle,
        "nthread",
        "1");
    long[] out = new long[1];
    check(jni.getDeclaredMethod("XGBoosterGetNumFeature", long.class, long[].class), handle, out);
    return out[0];
  }

  private static void check(Method method, Object... args) throws ReflectiveOperationException {
    method.setAccessible(true);
    int rc = (Integer) method.invoke(null, args);
    if (rc != 0) {
      throw new IllegalStateException(method.getName() + " failed (" + rc + ")");
    }
  }
}
