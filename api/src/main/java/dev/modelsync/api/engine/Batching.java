package dev.modelsync.api.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stacks the inputs of several requests along the first dimension so a model runs once for all of
 * them, and splits its outputs back per request. Only models whose every input and output has a
 * free first dimension (-1) are stacked: for them that dimension is the batch.
 */
public final class Batching {
  private Batching() {}

  /** True when every input and output of the model has a free first dimension. */
  public static boolean batchable(LoadedModel model) {
    return freeFirstDimension(model.inputs()) && freeFirstDimension(model.outputs());
  }

  /** Asked per request: indexed, so that it allocates no iterator. */
  private static boolean freeFirstDimension(List<TensorInfo> side) {
    for (int i = 0; i < side.size(); i++) {
      TensorInfo t = side.get(i);
      if (t.shape().length == 0 || t.shape()[0] != -1 || t.type() == null) {
        return false;
      }
    }
    return !side.isEmpty();
  }

  /** True when two requests can share a run: same names, datatypes and trailing dimensions. */
  public static boolean compatible(List<Tensor> a, List<Tensor> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Tensor x = a.get(i);
      Tensor y = b.get(i);
      if (!x.name().equals(y.name())
          || x.type() != y.type()
          || x.shape().length != y.shape().length
          || x.shape().length == 0
          || !Arrays.equals(x.shape(), 1, x.shape().length, y.shape(), 1, y.shape().length)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The inputs of all requests stacked; every request must be {@link #compatible} with the first.
   */
  public static List<Tensor> stack(List<List<Tensor>> requests) {
    List<Tensor> first = requests.get(0);
    List<Tensor> out = new ArrayList<>(first.size());
    for (int i = 0; i < first.size(); i++) {
      Tensor head = first.get(i);
      long rows = 0;
      int size = 0;
      for (List<Tensor> r : requests) {
        rows += r.get(i).shape()[0];
        size += r.get(i).size();
      }
      Object data = head.type().newArray(size);
      int at = 0;
      for (List<Tensor> r : requests) {
        Tensor t = r.get(i);
        System.arraycopy(t.data(), 0, data, at, t.size());
        at += t.size();
      }
      long[] shape = head.shape().clone();
      shape[0] = rows;
      out.add(new Tensor(head.name(), head.type(), shape, data));
    }
    return out;
  }

  /**
   * The outputs of a stacked run split back per request, by each request's rows; null when an
   * output's first dimension is not the total of the rows (then the model must run per request).
   */
  public static List<List<Tensor>> split(List<Tensor> outputs, long[] rows) {
    long total = 0;
    for (long r : rows) {
      total += r;
    }
    List<List<Tensor>> out = new ArrayList<>(rows.length);
    for (int k = 0; k < rows.length; k++) {
      out.add(new ArrayList<>(outputs.size()));
    }
    for (Tensor t : outputs) {
      if (t.shape().length == 0 || t.shape()[0] != total || total == 0) {
        return null;
      }
      int rowSize = (int) (t.size() / total);
      int at = 0;
      for (int k = 0; k < rows.length; k++) {
        int n = (int) rows[k] * rowSize;
        Object data = t.type().newArray(n);
        System.arraycopy(t.data(), at, data, 0, n);
        at += n;
        long[] shape = t.shape().clone();
        shape[0] = rows[k];
        out.get(k).add(new Tensor(t.name(), t.type(), shape, data));
      }
    }
    return out;
  }
}
