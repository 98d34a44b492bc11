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
    this.allOutputs = new LinkedHashSet<>(session.getOutputNames());
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
    return switch (t.type()) {
      case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) t.data()), shape);
      case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) t.data()), shape);
      case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) t.data()), shape);
      case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) t.data()), shape);
      case BOOL -> {
        boolean[] b = (boolean[]) t.data();
        ByteBuffer bytes = ByteBuffer.allocate(b.length);
        for (boolean v : b) {
          bytes.put((byte) (v ? 1 : 0));
        }
        yield OnnxTensor.createTensor(env, bytes.flip(), shape, OnnxJavaType.BOOL);
      }
      case BYTES -> OnnxTensor.createTensor(env, (String[]) t.data(), shape);
    };
  }

  private static Tensor fromOnnx(String name, OnnxValue value) throws OrtException {
    if (!(value instanceof OnnxTensor tensor)) {
      throw new IllegalStateException("output '" + name + "' is not a tensor");
    }
    ai.onnxruntime.TensorInfo info = tensor.getInfo();
    long[] shape = info.getShape();
    return switch (info.type) {
      case FLOAT -> {
        FloatBuffer b = tensor.getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        yield new Tensor(name, DataType.FP32, shape, a);
      }
      case DOUBLE -> {
        DoubleBuffer b = tensor.getDoubleBuffer();
        double[] a = new double[b.remaining()];
        b.get(a);
        yield new Tensor(name, DataType.FP64, shape, a);
      }
      case INT32 -> {
        IntBuffer b = tensor.getIntBuffer();
        int[] a = new int[b.remaining()];
        b.get(a);
        yield new Tensor(name, DataType.INT32, shape, a);
      }
      case INT64 -> {
        LongBuffer b = tensor.getLongBuffer();
        long[] a = new long[b.remaining()];
        b.get(a);
        yield new Tensor(name, DataType.INT64, shape, a);
      }
      case BOOL -> {
        ByteBuffer b = tensor.getByteBuffer();
        boolean[] a = new boolean[b.remaining()];
        for (int i = 0; i < a.length; i++) {
          a[i] = b.get() != 0;
        }
        yield new Tensor(name, DataType.BOOL, shape, a);
      }
      case STRING -> {
        List<String> flat = new ArrayList<>();
        flatten(tensor.getValue(), flat);
        yield new Tensor(name, DataType.BYTES, shape, flat.toArray(new String[0]));
      }
      default ->
          throw new IllegalStateException(
              "output '" + name + "' has element type " + info.type + ", which is not served");
    };
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
