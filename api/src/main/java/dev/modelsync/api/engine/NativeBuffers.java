package dev.modelsync.api.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Direct buffers kept per thread for ONNX Runtime's inputs and pinned outputs: a tensor made over a
 * direct buffer in native order is used in place, where a heap array costs a direct buffer
 * allocated and copied per call. A buffer is lent for one {@code predict} on its thread and is free
 * again once that call returns, so nothing a call reads outlives it.
 *
 * <p>Each slot keeps the ONNX Runtime tensors last made for it, each over a buffer of its own, one
 * per type and shape, and lends them again when they recur: making and closing a tensor per call
 * (two native calls and their allocations) measured as a third of the Java side of a small model's
 * run. More than one is kept because batched runs vary in rows (1x4, then 5x4, then 3x4) and would
 * otherwise make a new tensor nearly every call. A slot keeps at most {@link #KEPT} tensors and
 * {@link #SLOT_BYTES} of buffers; past either, the tensors used least recently are closed. The
 * tensors live as long as their thread; the threads that run models (event loops, inference,
 * loading, shadow) live as long as the server, and a thread that ends leaves at most that much per
 * slot behind.
 */
final class NativeBuffers {
  /** Tensors above this size are left to ONNX Runtime: the copy is small next to the run. */
  static final int MAX_BYTES = 64 * 1024;

  /** Tensors kept per slot: the shapes a slot's recent calls used. */
  static final int KEPT = 16;

  /** Bytes of buffers kept per slot: a tensor of {@link #MAX_BYTES} and others beside it. */
  static final int SLOT_BYTES = 2 * MAX_BYTES;

  private static final ThreadLocal<NativeBuffers> MINE =
      ThreadLocal.withInitial(NativeBuffers::new);

  private Slot[] slots = new Slot[4];

  /** The tensors kept for a slot, most recently used first, and their buffers' bytes. */
  private static final class Slot {
    final Kept[] kept = new Kept[KEPT];
    int count;
    int bytes;

    /** Closes the least recently used tensor. */
    void evict() {
      count--;
      kept[count].tensor.close();
      bytes -= kept[count].bytes;
      kept[count] = null;
    }
  }

  /** A tensor, the type and shape it was made for, and the size of its buffer. */
  private record Kept(OnnxTensor tensor, DataType type, long[] shape, int bytes) {}

  /** Per thread: {@link #of()}; tests make their own. */
  NativeBuffers() {}

  static NativeBuffers of() {
    return MINE.get();
  }

  /**
   * A tensor of {@code type} and {@code shape} ({@code bytes} long) lent for slot {@code i}: one
   * lent before when the slot kept one of that type and shape, else a new one over a new buffer
   * (the slot's least recently used tensors closed to stay within its bounds). Its content is
   * whatever the last call left: a caller writes inputs into it, ONNX Runtime writes outputs. The
   * slot owns it: callers never close it. Null when {@code bytes} is not positive (an empty tensor,
   * or a type not kept here) or above {@link #MAX_BYTES}; then the caller makes its own.
   *
   * @param type FP32, FP64, INT32 or INT64
   */
  OnnxTensor tensor(int i, DataType type, long[] shape, int bytes, OrtEnvironment env)
      throws OrtException {
    if (bytes <= 0 || bytes > MAX_BYTES) {
      return null;
    }
    if (i >= slots.length) {
      slots = Arrays.copyOf(slots, Math.max(i + 1, slots.length * 2));
    }
    Slot s = slots[i];
    if (s == null) {
      s = new Slot();
      slots[i] = s;
    }
    for (int k = 0; k < s.count; k++) {
      Kept c = s.kept[k];
      if (c.type == type && Arrays.equals(c.shape, shape)) {
        System.arraycopy(s.kept, 0, s.kept, 1, k); // to the front: the next scan stops sooner
        s.kept[0] = c;
        return c.tensor;
      }
    }
    while (s.count == KEPT || (s.count > 0 && s.bytes + bytes > SLOT_BYTES)) {
      s.evict();
    }
    ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    OnnxTensor made =
        switch (type) {
          case FP32 -> OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
          case FP64 -> OnnxTensor.createTensor(env, b.asDoubleBuffer(), shape);
          case INT32 -> OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
          case INT64 -> OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
          default -> throw new IllegalArgumentException(type + " tensors are not lent");
        };
    System.arraycopy(s.kept, 0, s.kept, 1, s.count);
    s.kept[0] = new Kept(made, type, shape.clone(), bytes);
    s.count++;
    s.bytes += bytes;
    return made;
  }
}
