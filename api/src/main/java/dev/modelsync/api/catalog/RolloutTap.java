package dev.modelsync.api.catalog;

import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.VersionMeters.Outcome;
import java.util.List;

/**
 * What a rollout watches of the requests a version answers: set on the served version of a shadow
 * (to copy its requests to the candidate) and on both versions of a canary (to compare their error
 * rates and latency). A request reads it once; null when no rollout watches the version. Both
 * methods run on request threads and must not block.
 */
public interface RolloutTap {
  /** The version answered {@code inputs} (asking for {@code outputs}) with {@code answers}. */
  default void answered(List<Tensor> inputs, List<String> outputs, List<Tensor> answers) {}

  /** A request on the version ended with {@code outcome}; it started at {@code startedNanos}. */
  default void settled(Outcome outcome, long startedNanos) {}
}
