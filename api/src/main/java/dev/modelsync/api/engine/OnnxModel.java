package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.reflect.Array;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
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
  private final Run runner;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final Set<String> allOutputs;

  /** Outputs are lent buffers ({@link #pin}) until a run shows a declared shape is wrong. */
  private volatile boolean pinOutputs = true;

  private static final Set<DataType> PINNABLE =
      EnumSet.of(DataType.FP32, DataType.FP64, DataType.INT32, DataType.INT64);

  /** What a run asks of the session: {@link OrtSession#run(Map, Set, Map)}. */
  @FunctionalInterface
  interface Run {
    OrtSession.Result run(
        Map<String, OnnxTensor> feed, Set<String> allocated, Map<String, OnnxTensor> pinned)
        throws OrtException;
  }

  /**
   * What ONNX Runtime (1.21) says when an output it was lent has another shape than the run
   * produces (execution_frame.cc, {@code OrtValue shape verification failed. Current shape:{1,4}
   * Requested shape:{2,4}}, code ORT_RUNTIME_EXCEPTION). A bad input fails otherwise (wrong
   * dimensions or type: ORT_INVALID_ARGUMENT; an index out of range in a Gather: the same).
   */
  private static final String LENT_SHAPE_REFUSED = "shape verification failed";

  OnnxModel(Model model, OrtSession session, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    this(model, session, inputs, outputs, session::run);
  }

  /** With {@code runner} in place of the session's own run: tests count the runs. */
  OnnxModel(
      Model model,
      OrtSession session,
      List<TensorInfo> inputs,
      List<TensorInfo> outputs,
      Run runner) {
    this.model = model;
    this.session = session;
    this.runner = runner;
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

  OrtSession session() {
    return session;
  }

  @Override
  public List<Tensor> predict(List<Tensor> in, List<String> wanted) throws InferenceException {
    Set<String> requested = wanted.isEmpty() ? allOutputs : new LinkedHashSet<>(wanted);
    NativeBuffers buffers = NativeBuffers.of();
    Map<String, OnnxTensor> feed = new HashMap<>(in.size() * 2);
    Map<String, OnnxTensor> pinned = new HashMap<>(requested.size() * 2);
    List<OnnxTensor> owned = new ArrayList<>(0); // made for this call alone, closed at its end
    try {
      for (int i = 0; i < in.size(); i++) {
        Tensor t = in.get(i);
        OnnxTensor lent = lentInput(t, buffers, i);
        if (lent == null) {
          lent = toOnnx(t);
          owned.add(lent);
        }
        feed.put(t.name(), lent);
      }
      if (pinOutputs) {
        pin(in, requested, buffers, in.size(), pinned);
      }
      return run(feed, requested, pinned);
    } catch (OrtException | RuntimeException first) {
      Exception e = first;
      if (!pinned.isEmpty() && lentShapeRefused(first)) {
        // An output whose real shape is not the declared one (a model that lies about its batch
        // dimension, say): run it as ONNX Runtime allocates; if that works, stop pinning for this
        // version. Any other failure (a bad input) would fail the same way again: it fails once.
        // (The lent tensors stay with their slots.)
        pinned.clear();
        try {
          List<Tensor> out = run(feed, requested, pinned);
          pinOutputs = false;
          return out;
        } catch (OrtException | RuntimeException again) {
          e = again;
        }
      }
      throw new InferenceException("inference failed: " + OnnxRuntimeLoader.rootMessage(e), e);
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  /** Whether a run failed because an output it was lent has the wrong shape. */
  private static boolean lentShapeRefused(Exception e) {
    return e instanceof OrtException ort
        && ort.getCode() == OrtException.OrtErrorCode.ORT_RUNTIME_EXCEPTION
        && ort.getMessage() != null
        && ort.getMessage().contains(LENT_SHAPE_REFUSED);
  }

  private List<Tensor> run(
      Map<String, OnnxTensor> feed, Set<String> requested, Map<String, OnnxTensor> pinned)
      throws OrtException {
    Set<String> allocated = requested;
    if (pinned.size() == requested.size()) {
      allocated = Set.of(); // every output lent (pinned holds requested outputs only)
    } else if (!pinned.isEmpty()) {
      allocated = new LinkedHashSet<>(requested);
      allocated.removeAll(pinned.keySet());
    }
    try (OrtSession.Result result = runner.run(feed, allocated, pinned)) {
      // in the order asked for: the result lists pinned outputs first
      List<Tensor> out = new ArrayList<>(requested.size());
      for (String name : requested) {
        OnnxTensor mine = pinned.get(name);
        if (mine != null) {
          out.add(read(name, mine));
        } else {
          OnnxValue value =
              result
                  .get(name)
                  .orElseThrow(() -> new IllegalStateException("no output '" + name + "'"));
          out.add(fromOnnx(name, value));
        }
      }
      return out;
    }
  }

  /**
   * Lends ONNX Runtime this thread's direct buffers for the outputs whose shape is known before the
   * run (every dimension declared, or only the batch dimension open and given by the inputs), so it
   * writes the results where they are read from: no Java object made by native code per output, no
   * copy through a buffer of its own. Half of the session's cost per small request
   * (bench.OnnxRunBenchmark).
   */
  private void pin(
      List<Tensor> in,
      Set<String> requested,
      NativeBuffers buffers,
      int firstSlot,
      Map<String, OnnxTensor> pinned)
      throws OrtException {
    long batch = batchOf(in);
    int slot = firstSlot;
    for (TensorInfo o : outputs) {
      if (!requested.contains(o.name()) || !PINNABLE.contains(o.type())) {
        continue;
      }
      long[] shape = o.shape();
      if (shape.length > 0 && shape[0] < 0 && batch > 0) {
        shape = shape.clone();
        shape[0] = batch;
      }
      long elements = Tensor.elementCount(shape); // -1 for an open dimension or an overflow
      long bytes = elements * o.type().bytes();
      if (elements <= 0 || bytes > NativeBuffers.MAX_BYTES) {
        continue; // open, empty or large: ONNX Runtime allocates it
      }
      pinned.put(o.name(), buffers.tensor(slot++, o.type(), shape, (int) bytes, env));
    }
  }

  /** The batch size the inputs agree on, or -1. */
  private long batchOf(List<Tensor> in) {
    long batch = -1;
    for (Tensor t : in) {
      if (t.shape().length == 0 || (batch >= 0 && t.shape()[0] != batch)) {
        return -1;
      }
      batch = t.shape()[0];
    }
    return batch;
  }

  /** A pinned output, read from the buffer ONNX Runtime wrote it into. */
  private static Tensor read(String name, OnnxTensor tensor) {
    ai.onnxruntime.TensorInfo info = tensor.getInfo();
    DataType type = OnnxRuntimeLoader.dataType(info.onnxType);
    Buffer lent = tensor.getBufferRef().orElseThrow();
    Object data = type.newArray((int) info.getNumElements());
    switch (type) {
      case FP32 -> ((FloatBuffer) lent).duplicate().rewind().get((float[]) data);
      case FP64 -> ((DoubleBuffer) lent).duplicate().rewind().get((double[]) data);
      case INT32 -> ((IntBuffer) lent).duplicate().rewind().get((int[]) data);
      case INT64 -> ((LongBuffer) lent).duplicate().rewind().get((long[]) data);
      default -> throw new IllegalStateException(type + " outputs are not pinned");
    }
    return new Tensor(name, type, info.getShape(), data);
  }

  private static int bytesOf(Tensor t) {
    return switch (t.type()) {
      case FP32, FP64, INT32, INT64 -> Array.getLength(t.data()) * t.type().bytes();
      default -> -1;
    };
  }

  /**
   * The input in this thread's lent tensor for its slot (FP32, FP64, INT32 and INT64 up to {@link
   * NativeBuffers#MAX_BYTES}), which ONNX Runtime reads in place; null for the rest.
   */
  private OnnxTensor lentInput(Tensor t, NativeBuffers buffers, int slot) throws OrtException {
    int bytes = bytesOf(t);
    if (bytes <= 0) {
      return null;
    }
    OnnxTensor lent = buffers.tensor(slot, t.type(), t.shape(), bytes, env);
    if (lent == null) {
      return null;
    }
    Buffer target = lent.getBufferRef().orElseThrow();
    Object data = t.data();
    switch (t.type()) {
      case FP32 -> ((FloatBuffer) target).put(0, (float[]) data);
      case FP64 -> ((DoubleBuffer) target).put(0, (double[]) data);
      case INT32 -> ((IntBuffer) target).put(0, (int[]) data);
      case INT64 -> ((LongBuffer) target).put(0, (long[]) data);
      default -> throw new IllegalStateException(t.type() + " inputs are not lent");
    }
    return lent;
  }

  /**
   * The input as an ONNX Runtime tensor of its own (the caller closes it): wrapped and copied by
   * ONNX Runtime.
   */
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
