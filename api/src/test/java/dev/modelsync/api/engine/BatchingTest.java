package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

  @Test
  @DisplayName("outputs of several values per row split into exactly one list per request")
  void splitRowsOfThree() {
    Tensor out =
        new Tensor(
            "output", DataType.INT32, new long[] {3, 3}, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    var split = Batching.split(List.of(out), new long[] {2, 1});
    assertEquals(2, split.size());
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, (int[]) split.get(0).get(0).data());
    assertArrayEquals(new long[] {2, 3}, split.get(0).get(0).shape());
    assertArrayEquals(new int[] {7, 8, 9}, (int[]) split.get(1).get(0).data());
  }

  @Test
  @DisplayName("requests with a different number of inputs do not share a run")
  void differentInputCounts() {
    Tensor x = fp32(1, 1, 2);
    assertFalse(Batching.compatible(List.of(x), List.of(x, x)));
    assertTrue(Batching.compatible(List.of(x, x), List.of(x, x)));
  }

  private static TensorInfo info(String datatype, long... shape) {
    return new TensorInfo("t", datatype, shape);
  }

  private static LoadedModel model(List<TensorInfo> inputs, List<TensorInfo> outputs) {
    return new LoadedModel() {
      @Override
      public String platform() {
        return "test";
      }

      @Override
      public List<TensorInfo> inputs() {
        return inputs;
      }

      @Override
      public List<TensorInfo> outputs() {
        return outputs;
      }

      @Override
      public List<Tensor> predict(List<Tensor> in, List<String> names) {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }

  @Test
  @DisplayName(
      "a model batches only when every input and output has a free first dimension and a served type")
  void batchable() {
    TensorInfo free = info("FP32", -1, 4);
    assertTrue(Batching.batchable(model(List.of(free), List.of(info("INT64", -1)))));
    assertFalse(Batching.batchable(model(List.of(info("FP32", 1, 4)), List.of(free))), "fixed in");
    assertFalse(Batching.batchable(model(List.of(free), List.of(info("FP32", 2)))), "fixed out");
    assertFalse(Batching.batchable(model(List.of(info("FP32")), List.of(free))), "scalar in");
    assertFalse(Batching.batchable(model(List.of(free), List.of(info("tensor(map)", -1)))), "type");
    assertFalse(Batching.batchable(model(List.of(), List.of(free))), "no inputs");
    assertFalse(Batching.batchable(model(List.of(free), List.of())), "no outputs");
  }
}
