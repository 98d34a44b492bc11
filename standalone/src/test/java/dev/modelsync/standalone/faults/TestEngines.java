package dev.modelsync.standalone.faults;

import dev.modelsync.api.engine.ForwardingModel;
import dev.modelsync.api.engine.InferenceException;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.engine.ModelLoader;
import dev.modelsync.api.engine.OnnxRuntimeLoader;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.events.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Engines the fault tests plug into the api: ONNX models that take their time. */
final class TestEngines {
  private TestEngines() {}

  /**
   * Engine {@code SlowOnnx}: loads like ONNX Runtime after waiting until released (at most {@code
   * maxWaitMs}); counts concurrent loads per model.
   */
  static final class SlowLoader implements ModelLoader {
    final CountDownLatch release = new CountDownLatch(1);
    final Map<String, AtomicInteger> loading = new ConcurrentHashMap<>();
    final AtomicInteger maxPerModel = new AtomicInteger();
    private final OnnxRuntimeLoader onnx = new OnnxRuntimeLoader(1);
    private final long maxWaitMs;

    SlowLoader(long maxWaitMs) {
      this.maxWaitMs = maxWaitMs;
    }

    @Override
    public String engine() {
      return "SlowOnnx";
    }

    @Override
    public Set<String> extensions() {
      return Set.of();
    }

    boolean isLoading(String model) {
      return loading.getOrDefault(model, new AtomicInteger()).get() > 0;
    }

    @Override
    public LoadedModel load(String name, Path dir, Manifest manifest) throws ModelLoadException {
      AtomicInteger now = loading.computeIfAbsent(name, n -> new AtomicInteger());
      maxPerModel.accumulateAndGet(now.incrementAndGet(), Math::max);
      try {
        release.await(maxWaitMs, TimeUnit.MILLISECONDS);
        return onnx.load(name, dir, manifest);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelLoadException("interrupted", e);
      } finally {
        now.decrementAndGet();
      }
    }
  }

  /** Engine {@code HeldOnnx}: ONNX models whose requests (not the warm-up) wait until released. */
  static final class HeldPredictLoader implements ModelLoader {
    final CountDownLatch release = new CountDownLatch(1);
    private final OnnxRuntimeLoader onnx = new OnnxRuntimeLoader(1);

    @Override
    public String engine() {
      return "HeldOnnx";
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
              release.await(30, TimeUnit.SECONDS);
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

  /** Saves a version the way the helper does, with this engine and example input in model.json. */
  static void save(
      Path modelsDir, String name, long version, byte[] onnx, String engine, String exampleShape)
      throws IOException {
    Path modelDir = Files.createDirectories(modelsDir.resolve(name));
    Path tmp = Files.createTempDirectory(modelDir, ".tmp-");
    Files.write(tmp.resolve("model.onnx"), onnx);
    Files.writeString(
        tmp.resolve("model.json"),
        """
        {"engine": "%s", "file": "model.onnx",
         "example": [{"name": "input", "datatype": "FP32", "shape": %s, "data": [1, 2, 3, 4]}]}
        """
            .formatted(engine, exampleShape));
    Files.move(tmp, modelDir.resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
  }
}
