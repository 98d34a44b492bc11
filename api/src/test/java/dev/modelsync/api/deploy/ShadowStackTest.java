package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.OnnxRuntimeLoader;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.events.Manifest;
import dev.modelsync.onnx.OnnxModelWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shadow copies run stacked on a real candidate compare exactly as when run one by one. */
class ShadowStackTest {
  @TempDir Path dir;

  private static Tensor input(float... values) {
    return new Tensor("input", DataType.FP32, new long[] {values.length / 4, 4}, values);
  }

  private static ShadowRunner.Copy copy(Tensor input, Tensor served) {
    return new ShadowRunner.Copy(null, List.of(input), List.of("output"), List.of(served));
  }

  @Test
  @DisplayName("a stacked run of known rows gives each copy exactly its one-by-one divergence")
  void stackedEqualsOneByOne() throws Exception {
    OnnxModelWriter.write(dir.resolve("model.onnx"), OnnxModelWriter.affine(1.5f));
    // the served version (scale 1) answers [0,0,0,0] with [0, 1, 2] and [1,2,3,4] with
    // [10, 11, 12]; the candidate is 1.5 times that: rows within abs 2 and beyond (diff 5..6)
    List<ShadowRunner.Copy> copies =
        List.of(
            copy(input(0, 0, 0, 0, 1, 2, 3, 4), RolloutPolicyTest.rows(0, 1, 2, 10, 11, 12)),
            copy(input(1, 2, 3, 4), RolloutPolicyTest.rows(10, 11, 12)),
            copy(input(0, 0, 0, 0), RolloutPolicyTest.rows(0, 1, 2)));
    Manifest.Tolerance tolerance = new Manifest.Tolerance(2.0, null);
    try (LoadedModel model = new OnnxRuntimeLoader(1).load("candidate", dir, null)) {
      List<List<Tensor>> split = ShadowRollout.stacked(model, copies);
      assertNotNull(split, "the copies share one run");
      assertEquals(copies.size(), split.size());
      Divergence alone = new Divergence(tolerance);
      Divergence stacked = new Divergence(tolerance);
      for (int k = 0; k < copies.size(); k++) {
        ShadowRunner.Copy c = copies.get(k);
        List<Tensor> one = model.predict(c.inputs(), c.outputs());
        Divergence copyAlone = new Divergence(tolerance);
        Divergence copyStacked = new Divergence(tolerance);
        copyAlone.add(c.answers(), one);
        copyStacked.add(c.answers(), split.get(k));
        assertEquals(copyAlone.maxAbs(), copyStacked.maxAbs(), "copy " + k);
        assertEquals(copyAlone.meanAbs(), copyStacked.meanAbs(), "copy " + k);
        assertEquals(copyAlone.divergentShare(), copyStacked.divergentShare(), "copy " + k);
        alone.add(c.answers(), one);
        stacked.add(c.answers(), split.get(k));
      }
      // 3 requests, 4 rows: 2 within, 2 beyond; differences 0..1 and 5..6, mean 3
      for (Divergence d : List.of(alone, stacked)) {
        assertEquals(3, d.requests());
        assertEquals(6.0, d.maxAbs());
        assertEquals(3.0, d.meanAbs());
        assertEquals(0.5, d.divergentShare());
      }
    }
  }
}
