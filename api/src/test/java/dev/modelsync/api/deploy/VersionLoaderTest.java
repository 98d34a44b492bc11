package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.events.ModelSaved;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VersionLoaderTest {
  static final long CAP = 64L << 20;

  @Test
  @DisplayName("warm-up zeros follow the declared shape, -1 read as 1, within the tensor cap")
  void warmUpShape() throws Exception {
    List<Tensor> in = VersionLoader.warmUpInputs(declaring(new long[] {-1, 4}), null, CAP);
    assertArrayEquals(new long[] {1, 4}, in.get(0).shape());
  }

  @Test
  @DisplayName("a declared input over MODELSYNC_MAX_TENSOR_BYTES fails the load before allocating")
  void warmUpCapped() {
    // 300 million FP32 zeros = 1.2 GB: under Integer.MAX_VALUE elements, over the 64 MiB cap
    var e =
        assertThrows(
            ModelLoadException.class,
            () -> VersionLoader.warmUpInputs(declaring(new long[] {-1, 300_000_000}), null, CAP));
    assertTrue(e.getMessage().contains("MODELSYNC_MAX_TENSOR_BYTES"), e.getMessage());
  }

  @Test
  @DisplayName(
      "an artifact other than <model>/<version> is refused: fraud cannot serve lin's files")
  void artifactMustBeOwn() {
    assertDoesNotThrow(() -> VersionLoader.requireOwnArtifact(saved("fraud", 2, "fraud/2")));
    for (String other : List.of("lin/2", "fraud/1", "fraud/2/", "./fraud/2", "fraud/02")) {
      var e =
          assertThrows(
              ModelLoadException.class,
              () -> VersionLoader.requireOwnArtifact(saved("fraud", 2, other)));
      assertTrue(e.getMessage().contains("'fraud/2'"), e.getMessage());
    }
  }

  static ModelSaved saved(String model, long version, String artifact) {
    return new ModelSaved(
        model,
        version,
        "sha256:x",
        1,
        "OnnxRuntime",
        List.of(),
        artifact,
        null,
        Instant.EPOCH,
        null);
  }

  static LoadedModel declaring(long[] shape) {
    return new LoadedModel() {
      @Override
      public String platform() {
        return "fake";
      }

      @Override
      public List<TensorInfo> inputs() {
        return List.of(new TensorInfo("input", "FP32", shape));
      }

      @Override
      public List<TensorInfo> outputs() {
        return List.of();
      }

      @Override
      public List<Tensor> predict(List<Tensor> inputs, List<String> outputs) {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }
}
