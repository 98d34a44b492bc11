package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BatchingTest {
  static Tensor fp32(long rows, float... data) {
    return new Tensor("input", DataType.FP32, new long[] {rows, data.length / rows}, data);
  }

  @Test
  @DisplayName("requests stack along the first dimension and split back by their rows")
  void stackAndSplit() {
    List<Tensor> a = List.of(fp32(1, 1, 2));
    List<Tensor> b = List.of(fp32(2, 3, 4, 5, 6));
    assertTrue(Batching.compatible(a, b));
    Tensor stacked = Batching.stack(List.of(a, b)).get(0);
    assertArrayEquals(new long[] {3, 2}, stacked.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, (float[]) stacked.data());

    Tensor out = new Tensor("output", DataType.INT64, new long[] {3, 1}, new long[] {7, 8, 9});
    var split = Batching.split(List.of(out), new long[] {1, 2});
    assertArrayEquals(new long[] {7}, (long[]) split.get(0).get(0).data());
    assertArrayEquals(new long[] {8, 9}, (long[]) split.get(1).get(0).data());
    assertArrayEquals(new long[] {2, 1}, split.get(1).get(0).shape());
  }

  @Test
  @DisplayName("different layouts do not stack; an output that is not per row cannot be split")
  void refusals() {
    assertFalse(Batching.compatible(List.of(fp32(1, 1, 2)), List.of(fp32(1, 1, 2, 3))));
    Tensor scalarish = new Tensor("output", DataType.FP32, new long[] {1}, new float[] {1});
    assertNull(Batching.split(List.of(scalarish), new long[] {1, 1}));
  }
}
