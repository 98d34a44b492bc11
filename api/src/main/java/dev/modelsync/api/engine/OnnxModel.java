package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded ONNX version. DJL loads and owns it (closing the DJL model frees the session); requests
 * run on the ONNX Runtime session DJL created, whose {@code run} is thread-safe. A DJL {@code
 * Predictor} per call measured at three times the session's own cost for small models (a manager
 * per call, attach and detach bookkeeping), which is most of the latency budget here.
 */
final class OnnxModel implements LoadedModel, DjlBacked {
  private final Model model;
  private final OrtSession session;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final Set<String> allOutputs;

  OnnxModel(Model model, OrtSession session, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    this.model = model;
    this.session = session;
    this.inputs = inputs;
    this.outputs = outputs;
    this.allOutputs = new LinkedHashSet<>();
    outputs.forEach(o -> allOutputs.add(o.name()));
  }

  @Override
  public Model djlModel() {
    return model;
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
    Map<String, OnnxTensor> feed = new HashMap<>(in.size() * 2);
    try {
      for (Tensor t : in) {
        feed.put(t.name(), toOnnx(t));
      }
      Set<String> requested = wanted.isEmpty() ? allOutputs : new LinkedHashSet<>(wanted);
      try (OrtSession.Result result = session.run(feed, requested)) {
        List<Tensor> out = new ArrayList<>(result.size());
        for (Map.Entry<String, OnnxValue> e : result) {
          out.add(fromOnnx(e.getKey(), e.getValue()));
        }
        return out;
      }
    } catch (OrtException | RuntimeException e) {
      throw new InferenceException("inference failed: " + OnnxRuntimeLoader.rootMessage(e), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOnnx(Tensor t) throws OrtException {
    long[] shape = t.shape();
    Object data = t.data();
    return switch (t.type()) {
      case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) data), shape);
      case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) data), shape);
      case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) data), shape);
      case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) data), shape);
      case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape);
      case UINT8 ->
          OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.UINT8);
      case INT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) data), shape);
      case FP16 -> shorts(t, OnnxJavaType.FLOAT16);
      case BF16 -> shorts(t, OnnxJavaType.BFLOAT16);
      case BOOL -> {
        boolean[] b = (boolean[]) data;
        ByteBuffer bytes = ByteBuffer.allocate(b.length);
        for (boolean v : b) {
          bytes.put((byte) (v ? 1 : 0));
        }
        yield OnnxTensor.createTensor(env, bytes.flip(), shape, OnnxJavaType.BOOL);
      }
      case BYTES -> OnnxTensor.createTensor(env, (String[]) data, shape);
      case UINT16, UINT32, UINT64 ->
          // OnnxRuntimeLoader refuses such models; a request cannot name a type the model lacks
          throw new IllegalStateException(t.type() + " tensors have no ONNX Runtime Java type");
    };
  }

  private OnnxTensor shorts(Tensor t, OnnxJavaType type) throws OrtException {
    return OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) t.data()), t.shape(), type);
  }

  private static Tensor fromOnnx(String name, OnnxValue value) throws OrtException {
    if (!(value instanceof OnnxTensor tensor)) {
      throw new IllegalStateException("output '" + name + "' is not a tensor");
    }
    ai.onnxruntime.TensorInfo info = tensor.getInfo();
    long[] shape = info.getShape();
    DataType type = OnnxRuntimeLoader.dataType(info.onnxType);
    if (type == null) {
      throw new IllegalStateException(
          "output '" + name + "' has element type " + info.onnxType + ", which is not served");
    }
    Object data = type.newArray((int) info.getNumElements());
    switch (type) {
      case FP32 -> tensor.getFloatBuffer().get((float[]) data);
      case FP64 -> tensor.getDoubleBuffer().get((double[]) data);
      case INT32 -> tensor.getIntBuffer().get((int[]) data);
      case INT64 -> tensor.getLongBuffer().get((long[]) data);
      case INT8, UINT8 -> tensor.getByteBuffer().get((byte[]) data);
      case INT16, FP16, BF16 -> tensor.getShortBuffer().get((short[]) data);
      case BOOL -> {
        ByteBuffer b = tensor.getByteBuffer();
        boolean[] a = (boolean[]) data;
        for (int i = 0; i < a.length; i++) {
          a[i] = b.get() != 0;
        }
      }
      case BYTES -> {
        List<String> flat = new ArrayList<>();
        flatten(tensor.getValue(), flat);
        data = flat.toArray(new String[0]);
      }
      case UINT16, UINT32, UINT64 ->
          throw new IllegalStateException(type + " tensors have no ONNX Runtime Java type");
    }
    return new Tensor(name, type, shape, data);
  }

  private static void flatten(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else if (value != null && value.getClass().isArray()) {
      for (int i = 0, n = Array.getLength(value); i < n; i++) {
        flatten(Array.get(value, i), out);
      }
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
