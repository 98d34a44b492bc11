package dev.modelsync.api.engine;

import java.util.List;

/**
 * A loaded model that hands every call to another; a wrapper overrides only what it adds to (the
 * count of open models, a test's hold or its count of runs).
 */
public abstract class ForwardingModel implements LoadedModel {
  protected final LoadedModel model;

  protected ForwardingModel(LoadedModel model) {
    this.model = model;
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
    model.close();
  }
}
