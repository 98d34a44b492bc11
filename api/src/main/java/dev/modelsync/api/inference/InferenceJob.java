package dev.modelsync.api.inference;

import dev.modelsync.api.catalog.RolloutTap;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.InferenceStats;
import dev.modelsync.api.metrics.InferenceStats.Phase;
import dev.modelsync.api.metrics.VersionMeters;
import dev.modelsync.api.metrics.VersionMeters.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * One admitted inference request on its way through the inference threads, whichever protocol it
 * came by (HTTP or gRPC): {@link Batcher} reads it and runs it, stacked with others where it can,
 * then {@link #complete()} runs on the request's context. A subclass reads its request and keeps
 * its answer; the lease, the in-flight slot and the meters are settled here, once, in {@link
 * #settle}.
 */
public abstract class InferenceJob {
  /** A request read for a model: inputs in the model's terms, and what the answer needs. */
  public record Parsed(List<Tensor> inputs, List<String> outputs, Object extra) {}

  private final Context context;
  private final InferenceHost host;
  final ServedVersion version;
  private final long started = System.nanoTime();

  /** The rollout watching the version (shadow, canary), read once; null nearly always. */
  private final RolloutTap tap;

  Parsed parsed;
  private Throwable failure;
  private boolean answered;

  /**
   * @param version leased by {@code Inference.lease} with an in-flight slot; released in settle
   */
  protected InferenceJob(Context context, InferenceHost host, ServedVersion version) {
    this.context = context;
    this.host = host;
    this.version = version;
    this.tap = version.tap();
  }

  /** Reads the request for the version, on an inference thread; bad input throws an ApiError. */
  protected abstract Parsed read(ServedVersion version) throws Exception;

  /** Encodes and keeps the answer, on an inference thread. */
  protected abstract void write(ServedVersion version, Parsed request, List<Tensor> outputs)
      throws Exception;

  /** The request's context: {@link #complete()} runs there. */
  public final Context context() {
    return context;
  }

  /** Runs on the job's context once the inference thread is done with it. */
  public abstract void complete();

  protected final ServedVersion version() {
    return version;
  }

  /**
   * Runs the job: on the event loop that read it, when it is small and its version's model runs
   * typically take at most {@code MODELSYNC_INLINE_MAX_MICROS} (a hop to an inference thread and
   * back costs two thread wake-ups, more than a small model's run), batched with the others read in
   * the same pass ({@link InlineRuns}); else on the inference threads. When they refuse it
   * (closing), it completes now.
   */
  public final void submit() {
    if (inline()) {
      host.metrics().ranInline();
      InlineRuns.of(context).run(this);
      return;
    }
    try {
      host.inference().submit(this);
    } catch (RuntimeException e) {
      failure = e;
      complete();
    }
  }

  /** The request's size in bytes, or -1 when not known (then it never runs inline). */
  protected long requestBytes() {
    return -1;
  }

  private boolean inline() {
    long bytes = requestBytes();
    return bytes >= 0
        && bytes <= INLINE_MAX_BYTES
        && version.<VersionMeters>meters().typicalRunNanos() <= host.inlineMaxNanos()
        && Context.isOnEventLoopThread()
        && Vertx.currentContext() == context;
  }

  /** The largest request that may run inline: its parsing and answer are bounded by its size. */
  static final int INLINE_MAX_BYTES = 16 * 1024;

  /** Gives back the in-flight slot; HTTP and gRPC hold it, with its bytes, in a ticket. */
  protected void releaseSlot() {
    host.metrics().inFlight().decrementAndGet();
  }

  /** Bytes of the parsed inputs (8 per BYTES element, as the tensor limit counts them). */
  final long inputBytes() {
    long total = 0;
    for (Tensor t : parsed.inputs()) {
      total += (long) t.size() * (t.type().bytes() == 0 ? 8 : t.type().bytes());
    }
    return total;
  }

  /** The most input bytes one stacked run may hold: what one request's tensor may. */
  final long stackLimit() {
    return host.maxTensorBytes();
  }

  /** Fails the job with {@code e} unless it already has its answer or its failure. */
  final void failed(Throwable e) {
    if (failure == null && !answered) {
      failure = e;
    }
  }

  /** Reads the request; false (with the failure kept for the answer) when it is bad. */
  final boolean parse() {
    try {
      parsed = read(version);
      return true;
    } catch (Throwable e) {
      failure = e;
      return false;
    }
  }

  /** Runs the model for this request alone. */
  final void predict() {
    long begin = System.nanoTime();
    List<Tensor> outputs;
    try {
      outputs = version.loaded().predict(parsed.inputs(), parsed.outputs());
    } catch (Throwable e) {
      failure = e;
      return;
    }
    long took = System.nanoTime() - begin;
    stats().executed();
    timed(took);
    ran(took);
    answer(outputs);
  }

  /** {@link #parse()} began at {@code begin} and took until now; {@code ok} if it succeeded. */
  final void parsed(long begin, boolean ok) {
    stats().add(Phase.QUEUE, begin - started);
    if (ok) {
      stats().add(Phase.COMPUTE_INPUT, System.nanoTime() - begin);
    }
  }

  /** The model run this request was part of took {@code ns}. */
  final void ran(long ns) {
    stats().add(Phase.COMPUTE_INFER, ns);
  }

  /** A model run took {@code ns}: for the version's typical run time. */
  final void timed(long ns) {
    version.<VersionMeters>meters().ran(ns);
  }

  final void answer(List<Tensor> outputs) {
    long begin = System.nanoTime();
    try {
      write(version, parsed, outputs);
      answered = true;
      if (tap != null) {
        tap.answered(parsed.inputs(), parsed.outputs(), outputs); // a queue offer, never a wait
      }
      stats().add(Phase.COMPUTE_OUTPUT, System.nanoTime() - begin);
      stats().inferred(Batcher.rows(this));
    } catch (Throwable e) {
      failure = e;
    }
  }

  final InferenceStats stats() {
    return version.<VersionMeters>meters().stats();
  }

  /**
   * Ends the request's hold on the server (lease, in-flight slot) and counts it. Call once, on the
   * request's context.
   *
   * @param dropped the answer cannot be sent: the request timed out or the client went away
   * @return the failure to answer with, or null when the kept answer is to be sent
   */
  protected final Throwable settle(boolean dropped) {
    version.release();
    releaseSlot();
    VersionMeters meters = version.meters();
    if (failure == null && !answered) {
      failure = new IllegalStateException("the inference thread gave no answer");
    }
    Outcome outcome;
    if (dropped) {
      outcome = Outcome.ERROR;
    } else if (failure == null) {
      outcome = Outcome.SUCCESS;
    } else {
      outcome = host.isClientError(failure) ? Outcome.CLIENT_ERROR : Outcome.ERROR;
    }
    meters.record(outcome, started);
    if (tap != null) {
      tap.settled(outcome, started);
    }
    return failure;
  }
}
