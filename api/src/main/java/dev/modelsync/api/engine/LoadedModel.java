package dev.modelsync.api.engine;

import java.util.List;

/**
 * One version of a model loaded by an engine: it owns its native resources (sessions, predictors,
 * memory managers) and frees them in {@link #close()}. {@link #predict} is safe to call from many
 * threads at once.
 */
public interface LoadedModel extends AutoCloseable {

  /** The KServe platform name, such as {@code onnxruntime_onnx}. */
  String platform();

  List<TensorInfo> inputs();

  List<TensorInfo> outputs();

  /**
   * Runs the model.
   *
   * @param inputs tensors named as {@link #inputs()}, already checked against the signature
   * @param outputs output names to return; empty for all
   */
  List<Tensor> predict(List<Tensor> inputs, List<String> outputs) throws InferenceException;

  @Override
  void close();
}
