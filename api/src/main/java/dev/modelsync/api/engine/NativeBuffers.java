package dev.modelsync.api.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Direct buffers kept per thread for ONNX Runtime's inputs and pinned outputs: a tensor made over a
 * direct buffer in native order is used in place, where a heap array costs a direct buffer
 * allocated and copied per call. A buffer is lent for one {@code predict} on its thread and is free
 * again once that call has closed its tensors, so nothing outlives the call.
 */
final class NativeBuffers {
  /** Tensors above this size are left to ONNX Runtime: the copy is small next to the run. */
  static final int MAX_BYTES = 64 * 1024;

  private static final ThreadLocal<NativeBuffers> MINE =
      ThreadLocal.withInitial(NativeBuffers::new);

  private ByteBuffer[] slots = new ByteBuffer[4];

  private NativeBuffers() {}

  static NativeBuffers of() {
    return MINE.get();
  }

  /**
   * Slot {@code i} cleared and limited to {@code bytes}, grown as needed; null when {@code bytes}
   * is not positive (an empty tensor, or a type not kept here) or above {@link #MAX_BYTES}.
   */
  ByteBuffer slot(int i, int bytes) {
    if (bytes <= 0 || bytes > MAX_BYTES) {
      return null;
    }
    if (i >= slots.length) {
      slots = Arrays.copyOf(slots, Math.max(i + 1, slots.length * 2));
    }
    ByteBuffer b = slots[i];
    if (b == null || b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect(Math.max(bytes, 64)).order(ByteOrder.nativeOrder());
      slots[i] = b;
    }
    return b.clear().limit(bytes).slice().order(ByteOrder.nativeOrder());
  }
}
