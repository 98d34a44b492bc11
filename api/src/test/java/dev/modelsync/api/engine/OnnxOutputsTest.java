package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.onnx.TypedModels;
import dev.modelsync.onnx.TypedModels.Elem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime writes small outputs into buffers {@link OnnxModel} lends it and reads small inputs
 * from this thread's buffers ({@link NativeBuffers}): the answers must be exactly those of a run
 * without them, for every batch size in turn, on several threads at once, and for a model whose
 * declared output shape is wrong; only that last failure is worth a second run without them.
 */
class OnnxOutputsTest {
  @TempDir static Path dir;

  @BeforeAll
  static void engines() {
    DjlEngines.configure();
  }

  private static LoadedModel load(String name, byte[] model) throws Exception {
    Path d = dir.resolve(name);
    Fixtures.write(d, "model.onnx", model);
    return new OnnxRuntimeLoader(1).load(name, d, null);
  }

  @Test
  void everyLentTypeComesBackUnchangedForEachBatchSize() throws Exception {
    for (Elem e : List.of(Elem.FP32, Elem.FP64, Elem.INT32, Elem.INT64, Elem.INT8)) {
      DataType type = DataType.valueOf(e.name());
      try (LoadedModel m = load("id_" + e, TypedModels.identity(e))) {
        for (int rows : new int[] {3, 1, 2, 5, 1}) { // smaller after larger: nothing left over
          Object data = type.newArray(rows * 4);
          for (int i = 0; i < rows * 4; i++) {
            java.lang.reflect.Array.set(data, i, value(type, rows * 100 + i));
          }
          Tensor in = new Tensor("input", type, new long[] {rows, 4}, data);
          Tensor out = m.predict(List.of(in), List.of()).get(0);
          assertEquals("output", out.name());
          assertArrayEquals(new long[] {rows, 4}, out.shape(), e + " rows " + rows);
          assertEquals(describe(data), describe(out.data()), e + " rows " + rows);
        }
      }
    }
  }

  @Test
  void threadsDoNotSeeEachOthersBuffers() throws Exception {
    try (LoadedModel m = load("id_threads", TypedModels.identity(Elem.FP32))) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Callable<Boolean>> calls = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          float base = t * 1000;
          calls.add(
              () -> {
                for (int i = 0; i < 2000; i++) {
                  float[] x = {base + i, base + i + 0.25f, base + i + 0.5f, base + i + 0.75f};
                  Tensor in = new Tensor("input", DataType.FP32, new long[] {1, 4}, x);
                  float[] y = (float[]) m.predict(List.of(in), List.of()).get(0).data();
                  if (!java.util.Arrays.equals(x, y)) {
                    return false;
                  }
                }
                return true;
              });
        }
        for (Future<Boolean> f : pool.invokeAll(calls)) {
          assertEquals(true, f.get());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void modelsTakingTurnsOnOneThreadEachAnswerTheirOwn() throws Exception {
    // the thread's lent tensors are shared by every model it runs: same shapes, other sessions
    LoadedModel doubled = load("affine2", dev.modelsync.onnx.OnnxModelWriter.affine(2));
    try (LoadedModel tripled = load("affine3", dev.modelsync.onnx.OnnxModelWriter.affine(3))) {
      for (int i = 0; i < 200; i++) {
        float[] x = {i, 1, 2, 3};
        float sum = i + 6;
        Tensor in = new Tensor("input", DataType.FP32, new long[] {1, 4}, x);
        if (i < 100) {
          assertArrayEquals(
              new float[] {2 * sum, 2 * (sum + 1), 2 * (sum + 2)},
              (float[]) doubled.predict(List.of(in), List.of()).get(0).data(),
              "affine(2) at " + i);
        } else if (i == 100) {
          doubled.close(); // its session gone, the thread's tensors serve the other model on
        }
        assertArrayEquals(
            new float[] {3 * sum, 3 * (sum + 1), 3 * (sum + 2)},
            (float[]) tripled.predict(List.of(in), List.of()).get(0).data(),
            "affine(3) at " + i);
      }
    }
  }

  @Test
  void aMisstatedOutputShapeIsStillAnsweredExactly() throws Exception {
    try (LoadedModel m = load("misdeclared", TypedModels.misdeclaredBatch())) {
      for (int round = 0; round < 3; round++) {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        Tensor in = new Tensor("input", DataType.FP32, new long[] {2, 4}, x);
        Tensor out = m.predict(List.of(in), List.of()).get(0);
        assertArrayEquals(new long[] {2, 4}, out.shape());
        assertArrayEquals(x, (float[]) out.data());
      }
    }
  }

  @Test
  void aMisstatedOutputShapeCostsOneRunMoreOnceThenOutputsAreNotLent() throws Exception {
    try (LoadedModel m = load("misdeclared_runs", TypedModels.misdeclaredBatch())) {
      List<Integer> lent = new ArrayList<>();
      OnnxModel counted = counting((OnnxModel) m, lent);
      Tensor in = new Tensor("input", DataType.FP32, new long[] {2, 4}, new float[8]);
      counted.predict(List.of(in), List.of());
      assertEquals(List.of(1, 0), lent, "lent and refused, then run as ONNX Runtime allocates");
      counted.predict(List.of(in), List.of());
      assertEquals(List.of(1, 0, 0), lent);
    }
  }

  @Test
  void aBadInputFailsOnceWhileOutputsAreLent() throws Exception {
    try (LoadedModel m = load("lookup_runs", TypedModels.lookup(10, 20, 30))) {
      List<Integer> lent = new ArrayList<>();
      OnnxModel counted = counting((OnnxModel) m, lent);
      // an index past the table (ONNX Runtime: ORT_INVALID_ARGUMENT from Gather)
      Tensor outOfRange =
          new Tensor("input", DataType.FP32, new long[] {1, 4}, new float[] {0, 7, 1, 2});
      InferenceException e =
          assertThrows(
              InferenceException.class, () -> counted.predict(List.of(outOfRange), List.of()));
      assertTrue(e.getMessage().contains("out of data bounds"), e.getMessage());
      assertEquals(List.of(1), lent);
      // dimensions the model does not take (ORT_INVALID_ARGUMENT before any node runs)
      Tensor wide = new Tensor("input", DataType.FP32, new long[] {1, 5}, new float[5]);
      assertThrows(InferenceException.class, () -> counted.predict(List.of(wide), List.of()));
      assertEquals(List.of(1, 1), lent);
      // and the outputs are still lent to the next, good request
      Tensor good = new Tensor("input", DataType.FP32, new long[] {1, 4}, new float[] {0, 1, 2, 1});
      Tensor out = counted.predict(List.of(good), List.of()).get(0);
      assertArrayEquals(new float[] {10, 20, 30, 20}, (float[]) out.data());
      assertEquals(List.of(1, 1, 1), lent);
    }
  }

  /**
   * The same session, each run recording how many outputs it was lent. Closing the model it wraps
   * closes this one.
   */
  private static OnnxModel counting(OnnxModel m, List<Integer> lent) {
    return new OnnxModel(
        m.djlModel(),
        m.session(),
        m.inputs(),
        m.outputs(),
        (feed, allocated, pinned) -> {
          lent.add(pinned.size());
          return m.session().run(feed, allocated, pinned);
        });
  }

  @Test
  void outputsComeInTheRequestedOrderWhetherLentOrNot() throws Exception {
    try (LoadedModel m = load("two", TypedModels.twoOutputs())) {
      float[] x = {1, 2, 3, 4};
      Tensor in = new Tensor("input", DataType.FP32, new long[] {1, 4}, x);
      for (int round = 0; round < 2; round++) {
        List<Tensor> all = m.predict(List.of(in), List.of());
        assertEquals(List.of("first", "second"), all.stream().map(Tensor::name).toList());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, (byte[]) all.get(0).data());
        assertArrayEquals(x, (float[]) all.get(1).data());
        List<Tensor> reversed = m.predict(List.of(in), List.of("second", "first"));
        assertEquals(List.of("second", "first"), reversed.stream().map(Tensor::name).toList());
      }
    }
  }

  private static Object value(DataType type, int i) {
    return switch (type) {
      case FP32 -> i + 0.5f;
      case FP64 -> i + 0.25;
      case INT32 -> -i;
      case INT64 -> (long) i << 33;
      case INT8 -> (byte) i;
      default -> throw new IllegalArgumentException(type.name());
    };
  }

  private static String describe(Object array) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) {
      b.append(java.lang.reflect.Array.get(array, i)).append(',');
    }
    return b.toString();
  }
}
