package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A version run through a DJL block (PyTorch, XGBoost). Each call gets its own NDManager and runs
 * the model's block directly: the block is shared and its forward thread-safe once the first
 * (warm-up) call has switched it to inference mode, while a DJL {@code Predictor} is not.
 */
final class DjlModel implements LoadedModel, DjlBacked {

  /** How an engine's answers differ from plain tensors. */
  enum Flavor {
    /** Inputs go in as their own datatype, outputs come back with their own shapes. */
    TENSORS,
    /**
     * Inputs go in as FP32 (XGBoost's DMatrix) and the one output comes back flat: it is reshaped
     * to {@code [rows]} or {@code [rows, n / rows]} after the declared rank.
     */
    XGBOOST
  }

  private final Model model;
  private final String platform;
  private final Flavor flavor;
  private final List<TensorInfo> inputs;
  private volatile List<TensorInfo> outputs;

  DjlModel(
      Model model,
      String platform,
      Flavor flavor,
      List<TensorInfo> inputs,
      List<TensorInfo> outputs) {
    this.model = model;
    this.platform = platform;
    this.flavor = flavor;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
  }

  @Override
  public Model djlModel() {
    return model;
  }

  @Override
  public String platform() {
    return platform;
  }

  @Override
  public List<TensorInfo> inputs() {
    return inputs;
  }

  @Override
  public List<TensorInfo> outputs() {
    return outputs;
  }

  /**
   * Runs zeros of the input shapes once and, when no outputs were declared, takes the outputs'
   * datatypes and shapes from the answer (a free first input dimension is a free first output
   * dimension).
   */
  void probe() throws InferenceException {
    List<Tensor> zeros = new ArrayList<>();
    for (TensorInfo info : inputs) {
      long[] shape = info.shape().clone();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      DataType type = info.type() == null ? DataType.FP32 : info.type();
      zeros.add(new Tensor(info.name(), type, shape, type.newArray((int) elements(shape))));
    }
    List<Tensor> answer = predict(zeros, List.of());
    if (!outputs.isEmpty()) {
      return;
    }
    boolean batched = !inputs.isEmpty() && inputs.get(0).shape().length > 0;
    batched = batched && inputs.get(0).shape()[0] < 0;
    List<TensorInfo> found = new ArrayList<>();
    for (Tensor t : answer) {
      long[] shape = t.shape().clone();
      if (batched && shape.length > 0) {
        shape[0] = -1;
      }
      found.add(new TensorInfo(t.name(), t.type().name(), shape));
    }
    outputs = List.copyOf(found);
  }

  private static long elements(long[] shape) {
    long n = Tensor.elementCount(shape);
    if (n < 0) {
      throw new IllegalArgumentException("input shape too large to probe");
    }
    return n;
  }

  @Override
  public List<Tensor> predict(List<Tensor> in, List<String> wanted) throws InferenceException {
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDList feed = new NDList(in.size());
      for (Tensor t : ordered(in)) {
        feed.add(toNd(manager, t));
      }
      NDList result = model.getBlock().forward(new ParameterStore(manager, false), feed, false);
      long rows = in.isEmpty() || in.get(0).shape().length == 0 ? 1 : in.get(0).shape()[0];
      List<Tensor> out = new ArrayList<>(result.size());
      for (int i = 0; i < result.size(); i++) {
        String name = outputName(i, result.size());
        if (wanted.isEmpty() || wanted.contains(name)) {
          out.add(fromNd(name, i, result.get(i), rows));
        }
      }
      return out;
    } catch (RuntimeException e) {
      throw new InferenceException("inference failed: " + OnnxRuntimeLoader.rootMessage(e), e);
    }
  }

  /** The request's tensors in the order of the signature, which is the order of the arguments. */
  private List<Tensor> ordered(List<Tensor> in) {
    if (inputs.size() != in.size()) {
      return in;
    }
    List<Tensor> out = new ArrayList<>(in.size());
    for (TensorInfo info : inputs) {
      in.stream().filter(t -> t.name().equals(info.name())).findFirst().ifPresent(out::add);
    }
    return out.size() == in.size() ? out : in;
  }

  private String outputName(int i, int count) {
    List<TensorInfo> declared = outputs;
    if (i < declared.size()) {
      return declared.get(i).name();
    }
    return count == 1 ? "output" : "output_" + i;
  }

  private NDArray toNd(NDManager m, Tensor t) {
    Shape shape = new Shape(t.shape());
    if (flavor == Flavor.XGBOOST) {
      return m.create(asFloats(t), shape);
    }
    return switch (t.type()) {
      case FP32 -> m.create((float[]) t.data(), shape);
      case FP64 -> m.create((double[]) t.data(), shape);
      case INT32 -> m.create((int[]) t.data(), shape);
      case INT64 -> m.create((long[]) t.data(), shape);
      case BOOL -> m.create((boolean[]) t.data(), shape);
      case BYTES ->
          throw new IllegalArgumentException("BYTES inputs are not served by " + platform);
      // the rest go in as their raw bytes, FP16 and BF16 as their 16 bits
      default -> m.create(ByteBuffer.wrap(RawTensors.encode(t)), shape, djlType(t.type()));
    };
  }

  /** DJL's name of a datatype; null for BYTES, which DJL's engines here do not take. */
  static ai.djl.ndarray.types.DataType djlType(DataType type) {
    return switch (type) {
      case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
      case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
      case UINT16 -> ai.djl.ndarray.types.DataType.UINT16;
      case UINT32 -> ai.djl.ndarray.types.DataType.UINT32;
      case UINT64 -> ai.djl.ndarray.types.DataType.UINT64;
      case INT8 -> ai.djl.ndarray.types.DataType.INT8;
      case INT16 -> ai.djl.ndarray.types.DataType.INT16;
      case INT32 -> ai.djl.ndarray.types.DataType.INT32;
      case INT64 -> ai.djl.ndarray.types.DataType.INT64;
      case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
      case BF16 -> ai.djl.ndarray.types.DataType.BFLOAT16;
      case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
      case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
      case BYTES -> null;
    };
  }

  private static float[] asFloats(Tensor t) {
    if (t.data() instanceof float[] f) {
      return f;
    }
    if (t.type() == DataType.BYTES) {
      throw new IllegalArgumentException("XGBoost takes numeric inputs");
    }
    float[] out = new float[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) TensorValues.doubleAt(t.type(), t.data(), i);
    }
    return out;
  }

  private Tensor fromNd(String name, int index, NDArray a, long rows) {
    long[] shape = a.getShape().getShape();
    if (flavor == Flavor.XGBOOST) {
      long n = a.size();
      int rank = index < outputs.size() ? outputs.get(index).shape().length : 0;
      boolean flat = n == rows && rank != 2;
      shape = flat ? new long[] {rows} : new long[] {rows, rows == 0 ? 0 : n / rows};
    }
    switch (a.getDataType()) {
      case FLOAT32:
        return new Tensor(name, DataType.FP32, shape, a.toFloatArray());
      case FLOAT64:
        return new Tensor(name, DataType.FP64, shape, a.toDoubleArray());
      case INT32:
        return new Tensor(name, DataType.INT32, shape, a.toIntArray());
      case INT64:
        return new Tensor(name, DataType.INT64, shape, a.toLongArray());
      case BOOLEAN:
        return new Tensor(name, DataType.BOOL, shape, a.toBooleanArray());
      default:
        break;
    }
    DataType type = servedType(a.getDataType());
    if (type == null) {
      throw new IllegalStateException(
          "output '" + name + "' has element type " + a.getDataType() + ", which is not served");
    }
    ByteBuffer raw = a.toByteBuffer();
    byte[] bytes = new byte[raw.remaining()];
    raw.get(bytes);
    return RawTensors.decode(name, type, shape, bytes);
  }

  /** Our datatype of a DJL one, or null. */
  static DataType servedType(ai.djl.ndarray.types.DataType djl) {
    for (DataType t : DataType.values()) {
      if (djlType(t) == djl) {
        return t;
      }
    }
    return null;
  }

  @Override
  public void close() {
    model.close();
  }
}
