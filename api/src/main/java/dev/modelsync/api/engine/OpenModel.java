package dev.modelsync.api.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded model counted among the open ones until its first close, so a leak of native sessions
 * shows as a growing {@code modelsync_models_open} rather than only as RSS.
 */
final class OpenModel extends ForwardingModel {
  private final AtomicInteger open;
  private final AtomicBoolean closed = new AtomicBoolean();

  OpenModel(LoadedModel model, AtomicInteger open) {
    super(model);
    this.open = open;
    open.incrementAndGet();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        model.close();
      } finally {
        open.decrementAndGet();
      }
    }
  }
}
