package dev.modelsync.api.inference;

import dev.modelsync.api.metrics.ApiMetrics;

/**
 * What an inference job needs from the server it runs in. The protocols' {@code Services}
 * implements it, so this package calls no protocol code: HTTP and gRPC call in, never the other way
 * round.
 */
public interface InferenceHost {
  ApiMetrics metrics();

  /** The inference threads. */
  InferenceExecutor inference();

  /** The most input bytes one request may carry, and so one stacked run may hold. */
  long maxTensorBytes();

  /** A small request to a version whose runs typically take at most this long runs inline. */
  long inlineMaxNanos();

  /** Whether a job's failure is the client's fault (counted as a client error, not an error). */
  boolean isClientError(Throwable failure);
}
