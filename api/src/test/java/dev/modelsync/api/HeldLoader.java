package dev.modelsync.api;

import dev.modelsync.api.engine.ForwardingModel;
import dev.modelsync.api.engine.InferenceException;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.engine.ModelLoader;
import dev.modelsync.api.engine.OnnxRuntimeLoader;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.events.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Engine {@code HeldOnnx}: real ONNX Runtime models whose requests (not the warm-up) wait until
 * {@link #release} opens (at most 60 s), to hold requests in flight past a deadline.
 */
final class HeldLoader implements ModelLoader {
  static final String ENGINE = "HeldOnnx";
  final CountDownLatch release = new CountDownLatch(1);
  private final OnnxRuntimeLoader onnx = new OnnxRuntimeLoader(1);

  @Override
  public String engine() {
    return ENGINE;
  }

  @Override
  public Set<String> extensions() {
    return Set.of();
  }

  @Override
  public LoadedModel load(String name, Path dir, Manifest manifest) throws ModelLoadException {
    LoadedModel model = onnx.load(name, dir, manifest);
    boolean[] warmedUp = {false};
    return new ForwardingModel(model) {
      @Override
      public List<Tensor> predict(List<Tensor> in, List<String> out) throws InferenceException {
        if (warmedUp[0]) {
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        warmedUp[0] = true;
        return model.predict(in, out);
      }
    };
  }
}
