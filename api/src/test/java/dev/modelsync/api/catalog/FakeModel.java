package dev.modelsync.api.catalog;

import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A model that only counts how often it was closed. */
final class FakeModel implements LoadedModel {
  final AtomicInteger closes = new AtomicInteger();

  @Override
  public String platform() {
    return "fake";
  }

  @Override
  public List<TensorInfo> inputs() {
    return List.of();
  }

  @Override
  public List<TensorInfo> outputs() {
    return List.of();
  }

  @Override
  public List<Tensor> predict(List<Tensor> inputs, List<String> outputs) {
    return List.of();
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }

  static ServedVersion version(String model, long version, FakeModel loaded) {
    return new ServedVersion(model, version, "sha256:" + version, loaded, null, Runnable::run);
  }
}
