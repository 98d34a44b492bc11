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
 * <p>Each slot also keeps the ONNX Runtime tensor last made over its buffer, and lends it again
 * while the type and shape recur (a steady stream of 1x4 requests, say): making and closing that
 * tensor per call (two native calls and their allocations) measured as a third of the Java side of
 * a small model's run. A different type or shape closes it and makes a new one. The tensors live as
 * long as their thread; the threads that run models (event loops, inference, loading, shadow) live
 * as long as the server, and a thread that ends leaves at most one small native tensor header per
 * slot behind.
 */
final class NativeBuffers {
  /** Tensors above this size are left to ONNX Runtime: the copy is small next to the run. */
  static final int MAX_BYTES = 64 * 1024;

  private static final ThreadLocal<NativeBuffers> MINE =
      ThreadLocal.withInitial(NativeBuffers::new);

  private Slot[] slots = new Slot[4];

  /** A buffer, and the tensor last made over it (null when none is open). */
  private static final class Slot {
    ByteBuffer buffer;
    OnnxTensor tensor;
    DataType type;
    long[] shape;
  }

  private NativeBuffers() {}

  static NativeBuffers of() {
    return MINE.get();
  }

  /**
   * A tensor of {@code type} and {@code shape} ({@code bytes} long) over slot {@code i}'s buffer:
   * the one lent last time when both are the same, else a new one (the slot's previous tensor
   * closed, its buffer grown as needed). Its content is whatever the last call left: a caller
   * writes inputs into it, ONNX Runtime writes outputs. The slot owns it: callers never close it.
   * Null when {@code bytes} is not positive (an empty tensor, or a type not kept here) or above
   * {@link #MAX_BYTES}; then the caller makes its own.
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
    if (s.tensor != null && s.type == type && Arrays.equals(s.shape, shape)) {
      return s.tensor;
    }
    if (s.tensor != null) {
      s.tensor.close(); // before its buffer may be replaced below
      s.tensor = null;
    }
    if (s.buffer == null || s.buffer.capacity() < bytes) {
      s.buffer = ByteBuffer.allocateDirect(Math.max(bytes, 64)).order(ByteOrder.nativeOrder());
    }
    ByteBuffer b = s.buffer.clear().limit(bytes).slice().order(ByteOrder.nativeOrder());
    s.tensor =
        switch (type) {
          case FP32 -> OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
          case FP64 -> OnnxTensor.createTensor(env, b.asDoubleBuffer(), shape);
          case INT32 -> OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
          case INT64 -> OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
          default -> throw new IllegalArgumentException(type + " tensors are not lent");
        };
    s.type = type;
    s.shape = shape.clone();
    return s.tensor;
  }
}
