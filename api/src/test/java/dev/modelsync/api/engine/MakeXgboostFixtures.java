package dev.modelsync.api.engine;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import ml.dmlc.xgboost4j.java.DMatrix;

/**
 * Writes the XGBoost test fixtures under {@code src/test/resources/models/xgboost/}: one-split
 * regression boosters over 4 features whose answer is exactly {@code c} when feature 0 is 1 and 0
 * when it is 0 ({@code c} = 10 for v1, 20 for v2), as {@code .json} and {@code .ubj}.
 *
 * <p>The pip index here has no xgboost, so they are trained with the xgboost4j bundled in DJL's
 * engine jar. It ships no {@code Booster} class, only the package-private JNI, reached
 * reflectively. Run from the repository root: {@code mvn -q -B -o -pl api exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.modelsync.api.engine.MakeXgboostFixtures}
 */
public final class MakeXgboostFixtures {
  private MakeXgboostFixtures() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/models/xgboost");
    Files.createDirectories(out);
    train(10f, out.resolve("v1.json"), out.resolve("v1.ubj"));
    train(20f, out.resolve("v2.json"));
  }

  static void train(float c, Path... files) throws Exception {
    int rows = 40;
    float[] x = new float[rows * 4];
    float[] y = new float[rows];
    for (int i = 0; i < rows; i++) {
      x[i * 4] = i % 2;
      x[i * 4 + 1] = i % 3;
      x[i * 4 + 2] = i % 5;
      x[i * 4 + 3] = i % 7;
      y[i] = (i % 2) * c;
    }
    DMatrix data = new DMatrix(x, rows, 4, Float.NaN);
    data.setLabel(y);
    long[] booster = new long[1];
    call(
        "XGBoosterCreate",
        new Class<?>[] {long[].class, long[].class},
        new long[] {data.getHandle()},
        booster);
    String[][] params = {
      {"objective", "reg:squarederror"},
      {"tree_method", "exact"},
      {"max_depth", "1"},
      {"eta", "1"},
      {"lambda", "0"},
      {"min_child_weight", "0"},
      {"base_score", "0"},
      {"seed", "1"},
      {"nthread", "1"}
    };
    Class<?>[] setParam = {long.class, String.class, String.class};
    for (String[] p : params) {
      call("XGBoosterSetParam", setParam, booster[0], p[0], p[1]);
    }
    call(
        "XGBoosterUpdateOneIter",
        new Class<?>[] {long.class, int.class, long.class},
        booster[0],
        0,
        data.getHandle());
    for (Path file : files) {
      call(
          "XGBoosterSaveModel",
          new Class<?>[] {long.class, String.class},
          booster[0],
          file.toAbsolutePath().toString());
    }
    call("XGBoosterFree", new Class<?>[] {long.class}, booster[0]);
    data.dispose();
  }

  private static void call(String name, Class<?>[] types, Object... args) throws Exception {
    Class<?> jni = Class.forName("ml.dmlc.xgboost4j.java.XGBoostJNI");
    Method m = jni.getDeclaredMethod(name, types);
    m.setAccessible(true);
    int rc = (Integer) m.invoke(null, args);
    if (rc != 0) {
      Method error = jni.getDeclaredMethod("XGBGetLastError");
      error.setAccessible(true);
      throw new IllegalStateException(name + ": " + error.invoke(null));
    }
  }
}
