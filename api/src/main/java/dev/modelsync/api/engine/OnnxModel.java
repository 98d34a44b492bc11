package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A loaded ONNX version: the DJL model and a pool of predictors (a DJL predictor is not
 * thread-safe, so each call borrows one). Closing frees the session and every native buffer.
 */
final class OnnxModel implements LoadedModel {
  private final Model model;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final ConcurrentLinkedQueue<Predictor<TensorTranslator.Request, List<Tensor>>> pool =
      new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  OnnxModel(Model model, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    this.model = model;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  @Override
  public String platform() {
    return "onnxruntime_onnx";
  }

  @Override
  public List<TensorInfo> inputs() {
    return inputs;
  }

  @Override
  public List<TensorInfo> outputs() {
    return outputs;
  }

  @Override
  public List<Tensor> predict(List<Tensor> in, List<String> wanted) throws InferenceException {
    if (closed) {
      throw new IllegalStateException("model " + model.getName() + " is closed");
    }
    Predictor<TensorTranslator.Request, List<Tensor>> predictor = pool.poll();
    if (predictor == null) {
      predictor = model.newPredictor(TensorTranslator.INSTANCE);
    }
    try {
      return predictor.predict(new TensorTranslator.Request(in, wanted));
    } catch (Exception e) {
      throw new InferenceException("inference failed: " + OnnxRuntimeLoader.rootMessage(e), e);
    } finally {
      pool.offer(predictor);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Predictor<?, ?> p; (p = pool.poll()) != null; ) {
      p.close();
    }
    model.close();
  }
}
