package dev.modelsync.api.deploy;

import dev.modelsync.events.RolloutDecided;
import io.vertx.core.Future;

/** Where rollout decisions are recorded for every replica: the events topic. */
public interface DecisionLog {
  /** Completes once the decision is stored (acknowledged by Kafka). */
  Future<Void> record(RolloutDecided decision);
}
