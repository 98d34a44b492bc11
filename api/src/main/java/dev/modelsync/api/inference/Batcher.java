package dev.modelsync.api.inference;

import dev.modelsync.api.engine.Batching;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.VersionMeters;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the jobs an inference thread drained in one go: parses each, and runs consecutive requests
 * for the same version with the same input layout as one stacked model run (dynamic batching).
 * Under load this turns many small runs into a few larger ones; with one request waiting it is a
 * plain run. If a stacked run fails, each request runs alone so that errors stay its own. A stack
 * holds at most {@code MODELSYNC_MAX_TENSOR_BYTES} of inputs, so stacking never allocates more than
 * one request may.
 */
final class Batcher {
  private Batcher() {}

  static void run(List<InferenceJob> drained) {
    run(drained, Long.MAX_VALUE);
  }

  /** As {@link #run(List)}, with at most {@code maxRows} rows in a stacked run. */
  static void run(List<InferenceJob> drained, long maxRows) {
    List<InferenceJob> ready = new ArrayList<>(drained.size());
    for (InferenceJob job : drained) {
      long begin = System.nanoTime();
      boolean ok = job.parse();
      job.parsed(begin, ok);
      if (ok) {
        ready.add(job);
      }
    }
    int i = 0;
    while (i < ready.size()) {
      InferenceJob first = ready.get(i);
      int end = i + 1;
      if (Batching.batchable(first.version.loaded())) {
        long bytes = first.inputBytes();
        long limit = first.stackLimit();
        long rows = rows(first);
        while (end < ready.size()
            && together(first, ready.get(end))
            && (bytes += ready.get(end).inputBytes()) <= limit
            && (rows += rows(ready.get(end))) <= maxRows) {
          end++;
        }
      }
      if (end - i == 1) {
        first.predict();
      } else {
        stacked(ready.subList(i, end));
      }
      i = end;
    }
  }

  private static boolean together(InferenceJob a, InferenceJob b) {
    return a.version == b.version
        && a.parsed.outputs().equals(b.parsed.outputs())
        && Batching.compatible(a.parsed.inputs(), b.parsed.inputs());
  }

  private static void stacked(List<InferenceJob> group) {
    InferenceJob first = group.get(0);
    List<List<Tensor>> inputs = new ArrayList<>(group.size());
    long[] rows = new long[group.size()];
    for (int k = 0; k < group.size(); k++) {
      inputs.add(group.get(k).parsed.inputs());
      rows[k] = group.get(k).parsed.inputs().get(0).shape()[0];
    }
    List<List<Tensor>> split;
    long begin = System.nanoTime();
    try {
      split =
          Batching.split(
              first.version.loaded().predict(Batching.stack(inputs), first.parsed.outputs()), rows);
      first.version.<VersionMeters>meters().stats().executed();
    } catch (Exception e) {
      split = null;
    }
    long took = System.nanoTime() - begin;
    if (split != null) {
      first.timed(took);
    }
    for (int k = 0; k < group.size(); k++) {
      if (split == null) {
        group.get(k).predict();
      } else {
        group.get(k).ran(took);
        group.get(k).answer(split.get(k));
      }
    }
  }

  /**
   * The inferences a request makes in Triton's terms: its batch size (first dimension) for a model
   * that batches, else 1.
   */
  static long rows(InferenceJob job) {
    List<Tensor> inputs = job.parsed == null ? List.of() : job.parsed.inputs();
    if (inputs.isEmpty()
        || inputs.get(0).shape().length == 0
        || !Batching.batchable(job.version.loaded())) {
      return 1;
    }
    return inputs.get(0).shape()[0];
  }
}
