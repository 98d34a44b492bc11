package dev.modelsync.api.engine;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded model counted among the open ones until its first close, so a leak of native sessions
 * shows as a growing {@code modelsync_models_open} rather than only as RSS.
 */
final class OpenModel implements LoadedModel {
  private final LoadedModel model;
  private final AtomicInteger open;
  private final AtomicBoolean closed = new AtomicBoolean();

  OpenModel(LoadedModel model, AtomicInteger open) {
    this.model = model;
    this.open = open;
    open.incrementAndGet();
  }

  @Override
  public String platform() {
    return model.platform();
  }

  @Override
  public List<TensorInfo> inputs() {
    return model.inputs();
  }

  @Override
  public List<TensorInfo> outputs() {
    return model.outputs();
  }

  @Override
  public List<Tensor> predict(List<Tensor> inputs, List<String> outputs) throws InferenceException {
    return model.predict(inputs, outputs);
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
