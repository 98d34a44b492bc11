package dev.modelsync.api.deploy;

import dev.modelsync.api.artifacts.ArtifactSource;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.EngineRegistry;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.api.engine.TensorValues;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking part of a load, run on a worker: get the version's files from the artifact source
 * (which checks the digest), load them and answer one warm-up request. Anything wrong is a {@link
 * ModelLoadException} whose message is the published reason.
 */
final class VersionLoader {
  private final ArtifactSource artifacts;
  private final EngineRegistry engines;
  private final ApiMetrics metrics;
  private final long maxTensorBytes;

  VersionLoader(
      ArtifactSource artifacts, EngineRegistry engines, ApiMetrics metrics, long maxTensorBytes) {
    this.artifacts = artifacts;
    this.engines = engines;
    this.metrics = metrics;
    this.maxTensorBytes = maxTensorBytes;
  }

  LoadedModel load(ModelSaved saved) throws ModelLoadException {
    requireOwnArtifact(saved);
    Path dir = artifacts.fetch(saved);
    LoadedModel model = engines.load(saved.model(), dir, saved.engine(), saved.manifest());
    try {
      long started = System.nanoTime();
      model.predict(warmUpInputs(model, saved.manifest(), maxTensorBytes), List.of());
      metrics.warmedUp(saved.model(), Duration.ofNanos(System.nanoTime() - started));
      return model;
    } catch (Exception e) {
      model.close();
      throw new ModelLoadException("warm-up failed: " + e.getMessage(), e);
    }
  }

  private static void set(String name, DataType type, Object data, int i, double d)
      throws ModelLoadException {
    if (type.floating()) {
      TensorValues.setFloating(type, data, i, d);
    } else if (type == DataType.BOOL) {
      ((boolean[]) data)[i] = d != 0;
    } else if ((long) d == d && TensorValues.fits(type, (long) d)) {
      TensorValues.setInteger(type, data, i, (long) d);
    } else {
      throw new ModelLoadException(
          "example input '" + name + "' value " + d + " at " + i + " does not fit " + type);
    }
  }

  /**
   * A version's files are its own: an event naming model {@code fraud} with {@code artifact: lin/2}
   * (and lin/2's digest) would otherwise serve lin's files as fraud.
   */
  static void requireOwnArtifact(ModelSaved saved) throws ModelLoadException {
    String own = saved.model() + "/" + saved.version();
    if (!own.equals(saved.artifact())) {
      throw new ModelLoadException(
          "refused: artifact '" + saved.artifact() + "' is not the version's own '" + own + "'");
    }
  }

  /**
   * The manifest's example, else zeros of each declared input with every -1 read as 1; refused
   * (before allocating) when a declared input is larger than a request's tensor may be.
   */
  static List<Tensor> warmUpInputs(LoadedModel model, Manifest manifest, long maxTensorBytes)
      throws ModelLoadException {
    List<Tensor> inputs = new ArrayList<>();
    if (manifest != null && !manifest.example().isEmpty()) {
      for (Manifest.ExampleTensor ex : manifest.example()) {
        TensorInfo info =
            model.inputs().stream()
                .filter(i -> i.name().equals(ex.name()))
                .findFirst()
                .orElse(null);
        String datatype =
            ex.datatype() != null ? ex.datatype() : info == null ? null : info.datatype();
        DataType type = DataType.of(datatype);
        if (type == null || type == DataType.BYTES) {
          throw new ModelLoadException(
              "example input '" + ex.name() + "' has datatype " + datatype + ", not usable");
        }
        long[] shape = ex.shape().stream().mapToLong(Long::longValue).toArray();
        Object data = type.newArray(ex.data().size());
        for (int i = 0; i < ex.data().size(); i++) {
          set(ex.name(), type, data, i, ex.data().get(i));
        }
        try {
          inputs.add(new Tensor(ex.name(), type, shape, data));
        } catch (IllegalArgumentException e) {
          throw new ModelLoadException("bad example input: " + e.getMessage(), e);
        }
      }
      return inputs;
    }
    for (TensorInfo info : model.inputs()) {
      DataType type = info.type();
      if (type == null) {
        throw new ModelLoadException(
            "input '" + info.name() + "' has datatype " + info.datatype() + ", not served");
      }
      long[] shape = info.shape().clone();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      long n = Tensor.elementCount(shape);
      long bytes = n * (type.bytes() == 0 ? 8 : type.bytes());
      if (n < 0 || bytes > maxTensorBytes) {
        throw new ModelLoadException(
            "input '"
                + info.name()
                + "' of shape "
                + java.util.Arrays.toString(shape)
                + " is too large to warm up: over "
                + maxTensorBytes
                + " bytes (MODELSYNC_MAX_TENSOR_BYTES)");
      }
      inputs.add(new Tensor(info.name(), type, shape, type.newArray((int) n)));
    }
    return inputs;
  }
}
