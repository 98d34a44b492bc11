package dev.modelsync.api.inference;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Batching;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inline runs of one event loop's context. Requests to a model that batches, read in the same
 * pass of the event loop (many connections ready at once), run as one stacked model run: the first
 * of a pass queues a task on the context, which the event loop runs once it has read every ready
 * connection, and the ones read before then join it. For a small model the fixed cost of a run
 * (ONNX Runtime's session run, its tensors) is most of it, so under load it is paid once per pass
 * instead of once per request; a request alone in its pass runs as soon as the pass ends, before
 * the event loop waits for more input.
 *
 * <p>{@link Batcher} runs what was gathered: each request is read alone (a bad one fails alone),
 * stacked only with requests to the same version with the same input layout, at most {@link
 * #MAX_ROWS} rows a run, and run alone again when a stacked run fails. Each keeps its own lease,
 * in-flight slot, meters and answer. Requests to a model that does not batch run at once, as
 * before.
 */
final class InlineRuns {
  private static final Logger LOG = LoggerFactory.getLogger(InlineRuns.class);

  /** The most rows one gathered run holds: it runs on the event loop, so its time is bounded. */
  static final int MAX_ROWS = 64;

  private static final String KEY = InlineRuns.class.getName();

  private final Context context;
  private final Handler<Void> flushTask = v -> flush();
  private List<InferenceJob> pending = new ArrayList<>();
  private List<InferenceJob> spare = new ArrayList<>();

  private InlineRuns(Context context) {
    this.context = context;
  }

  /** The context's inline runs; call on the context. */
  static InlineRuns of(Context context) {
    InlineRuns runs = context.get(KEY);
    if (runs == null) {
      runs = new InlineRuns(context);
      context.put(KEY, runs);
    }
    return runs;
  }

  /** Runs the job, on its context: with the others of this pass, or at once. */
  void run(InferenceJob job) {
    if (!Batching.batchable(job.version.loaded())) {
      runNow(List.of(job));
      return;
    }
    if (pending.isEmpty()) {
      context.runOnContext(flushTask);
    }
    pending.add(job);
  }

  /** Runs what the pass gathered; requests read while answering them wait for the next. */
  private void flush() {
    List<InferenceJob> jobs = pending;
    pending = spare;
    runNow(byVersion(jobs));
    jobs.clear();
    spare = jobs;
  }

  private static void runNow(List<InferenceJob> jobs) {
    try {
      Batcher.run(jobs, MAX_ROWS);
    } catch (RuntimeException | Error e) {
      jobs.forEach(j -> j.failed(e));
    }
    for (InferenceJob j : jobs) {
      try {
        j.complete();
      } catch (RuntimeException e) {
        // the others still answer and give back their leases
        LOG.error("Answering an inference request on {} failed unexpectedly", j.version, e);
      }
    }
  }

  /**
   * The jobs with those of one version next to each other, otherwise in the order they came: {@link
   * Batcher} stacks consecutive requests only.
   */
  private static List<InferenceJob> byVersion(List<InferenceJob> jobs) {
    ServedVersion first = jobs.get(0).version;
    int other = 1;
    while (other < jobs.size() && jobs.get(other).version == first) {
      other++;
    }
    if (other == jobs.size()) {
      return jobs; // nearly always: one version
    }
    List<InferenceJob> ordered = new ArrayList<>(jobs.size());
    List<InferenceJob> rest = new ArrayList<>(jobs);
    while (!rest.isEmpty()) {
      ServedVersion v = rest.get(0).version;
      rest.removeIf(
          j -> {
            if (j.version != v) {
              return false;
            }
            ordered.add(j);
            return true;
          });
    }
    return ordered;
  }
}
