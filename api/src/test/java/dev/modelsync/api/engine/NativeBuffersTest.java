package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A slot lends the same ONNX Runtime tensor again for a type and shape it keeps, keeps one per
 * shape up to {@link NativeBuffers#KEPT}, and past that closes the one used least recently.
 */
class NativeBuffersTest {
  private static OrtEnvironment env;
  private final NativeBuffers buffers = new NativeBuffers();

  @BeforeAll
  static void engines() {
    DjlEngines.configure();
    // DJL makes the process's ONNX Runtime environment (with its thread pool): the one lent to
    Engine.getEngine(OnnxRuntimeLoader.ENGINE);
    env = OrtEnvironment.getEnvironment();
  }

  private OnnxTensor rows(int slot, int rows) throws OrtException {
    return buffers.tensor(slot, DataType.FP32, new long[] {rows, 4}, rows * 16, env);
  }

  @Test
  @DisplayName("the same type and shape gets the same tensor; another type does not")
  void sameShapeIsReused() throws Exception {
    OnnxTensor first = rows(0, 1);
    assertSame(first, rows(0, 1));
    assertArrayEquals(new long[] {1, 4}, first.getInfo().getShape());
    OnnxTensor ints = buffers.tensor(0, DataType.INT32, new long[] {1, 4}, 16, env);
    assertNotSame(first, ints);
    assertSame(first, rows(0, 1), "another type is kept beside it");
    assertNotSame(first, rows(1, 1), "another slot has tensors of its own");
  }

  @Test
  @DisplayName("sixteen batch sizes in turn each keep their tensor")
  void distinctShapesAreKept() throws Exception {
    List<OnnxTensor> made = new ArrayList<>();
    for (int r = 1; r <= 16; r++) {
      made.add(rows(0, r));
    }
    for (int r = 16; r >= 1; r--) {
      OnnxTensor again = rows(0, r);
      assertSame(made.get(r - 1), again, r + " rows");
      assertFalse(again.isClosed());
      assertArrayEquals(new long[] {r, 4}, again.getInfo().getShape());
    }
  }

  @Test
  @DisplayName("past KEPT shapes the least recently used tensor is closed and made anew")
  void boundEvictsLeastRecentlyUsed() throws Exception {
    List<OnnxTensor> made = new ArrayList<>();
    for (int r = 1; r <= NativeBuffers.KEPT; r++) {
      made.add(rows(0, r));
    }
    assertSame(made.get(0), rows(0, 1), "1 row used again: 2 rows is now the oldest");
    OnnxTensor extra = rows(0, NativeBuffers.KEPT + 1);
    assertTrue(made.get(1).isClosed(), "2 rows evicted");
    for (int r = 3; r <= NativeBuffers.KEPT; r++) {
      assertFalse(made.get(r - 1).isClosed(), r + " rows");
    }
    // 2 rows comes back in place of the oldest now (3 rows); 1 row and the 17th stay
    assertNotSame(made.get(1), rows(0, 2));
    assertTrue(made.get(2).isClosed(), "3 rows evicted");
    assertSame(made.get(0), rows(0, 1));
    assertSame(extra, rows(0, NativeBuffers.KEPT + 1));
  }

  @Test
  @DisplayName("a slot keeps at most SLOT_BYTES of buffers: large tensors evict the oldest")
  void byteBoundEvicts() throws Exception {
    int rows = NativeBuffers.MAX_BYTES / 16;
    OnnxTensor small = rows(0, 2);
    OnnxTensor large = rows(0, rows);
    OnnxTensor larger = rows(0, rows - 1);
    assertTrue(
        small.isClosed(), "32 bytes + 64 KiB + 64 KiB - 16 is over SLOT_BYTES: the oldest went");
    assertFalse(large.isClosed());
    assertSame(large, rows(0, rows));
    assertSame(larger, rows(0, rows - 1));
    rows(0, rows - 2);
    assertTrue(large.isClosed(), "then the least recently used large one");
    assertFalse(larger.isClosed());
  }

  @Test
  @DisplayName("empty and oversized tensors are not lent")
  void outsideTheBoundsIsTheCallersOwn() throws Exception {
    assertNull(buffers.tensor(0, DataType.FP32, new long[] {0, 4}, 0, env));
    int over = NativeBuffers.MAX_BYTES + 4;
    assertNull(buffers.tensor(0, DataType.FP32, new long[] {over / 4}, over, env));
  }
}
