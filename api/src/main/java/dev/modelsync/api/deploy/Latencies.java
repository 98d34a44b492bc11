package dev.modelsync.api.deploy;

import java.util.Arrays;

/**
 * The latest request latencies of one version in a rollout step (a bounded window, so a long step
 * costs no more memory) and its request and error counts. Recorded from request threads.
 */
final class Latencies {
  private static final int WINDOW = 4096;
  private final long[] nanos = new long[WINDOW];
  private long requests;
  private long errors;

  synchronized void record(long took, boolean error) {
    nanos[(int) (requests % WINDOW)] = took;
    requests++;
    if (error) {
      errors++;
    }
  }

  synchronized long requests() {
    return requests;
  }

  synchronized double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }

  /** The 99th percentile of the window in milliseconds; 0 without requests. */
  synchronized double p99Ms() {
    int n = (int) Math.min(requests, WINDOW);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(nanos, n);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(0.99 * n) - 1;
    return sorted[Math.max(0, rank)] / 1e6;
  }
}
