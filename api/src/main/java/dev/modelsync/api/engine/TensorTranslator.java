package dev.modelsync.api.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves {@link Tensor}s into NDArrays of the call's own manager and the outputs back into heap
 * arrays, so every native buffer of a call is freed when DJL closes the call's context.
 */
final class TensorTranslator implements Translator<TensorTranslator.Request, List<Tensor>> {
  static final TensorTranslator INSTANCE = new TensorTranslator();

  record Request(List<Tensor> inputs, List<String> outputs) {}

  private static final String WANTED = "wanted";

  @Override
  public NDList processInput(TranslatorContext ctx, Request request) {
    ctx.setAttachment(WANTED, request.outputs());
    NDManager manager = ctx.getNDManager();
    NDList list = new NDList(request.inputs().size());
    for (Tensor t : request.inputs()) {
      Shape shape = new Shape(t.shape());
      NDArray array =
          switch (t.type()) {
            case FP32 ->
                manager.create(
                    FloatBuffer.wrap((float[]) t.data()),
                    shape,
                    ai.djl.ndarray.types.DataType.FLOAT32);
            case FP64 ->
                manager.create(
                    DoubleBuffer.wrap((double[]) t.data()),
                    shape,
                    ai.djl.ndarray.types.DataType.FLOAT64);
            case INT32 ->
                manager.create(
                    IntBuffer.wrap((int[]) t.data()), shape, ai.djl.ndarray.types.DataType.INT32);
            case INT64 ->
                manager.create(
                    LongBuffer.wrap((long[]) t.data()), shape, ai.djl.ndarray.types.DataType.INT64);
            case BOOL -> manager.create((boolean[]) t.data(), shape);
            case BYTES -> manager.create((String[]) t.data(), StandardCharsets.UTF_8, shape);
          };
      array.setName(t.name());
      list.add(array);
    }
    return list;
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<Tensor> processOutput(TranslatorContext ctx, NDList list) {
    List<String> wanted = (List<String>) ctx.getAttachment(WANTED);
    List<Tensor> out = new ArrayList<>(list.size());
    for (NDArray array : list) {
      String name = array.getName();
      if (wanted != null && !wanted.isEmpty() && !wanted.contains(name)) {
        continue;
      }
      long[] shape = array.getShape().getShape();
      out.add(
          switch (array.getDataType()) {
            case FLOAT32 -> new Tensor(name, DataType.FP32, shape, array.toFloatArray());
            case FLOAT64 -> new Tensor(name, DataType.FP64, shape, array.toDoubleArray());
            case INT32 -> new Tensor(name, DataType.INT32, shape, array.toIntArray());
            case INT64 -> new Tensor(name, DataType.INT64, shape, array.toLongArray());
            case BOOLEAN -> new Tensor(name, DataType.BOOL, shape, array.toBooleanArray());
            case STRING ->
                new Tensor(
                    name, DataType.BYTES, shape, array.toStringArray(StandardCharsets.UTF_8));
            default ->
                throw new UnsupportedOperationException(
                    "output '" + name + "' has datatype " + array.getDataType() + ", not served");
          });
    }
    return out;
  }

  @Override
  public Batchifier getBatchifier() {
    return null;
  }
}
