package dev.modelsync.agent.sync;

/**
 * What the sync thread counts; the agent's meters ({@code AgentMetrics}) implement it, so this
 * package does not depend on the agent's wiring.
 */
public interface SyncMetrics {
  /** A save of {@code model} was seen complete and goes to the store. */
  void saveSeen(String model);

  /** A version was found complete by {@code rule} (its label). */
  void completed(String rule);

  /** A complete version was skipped: its digest equals a published version's. */
  void duplicateSkipped();

  /** A {@code type} event was acknowledged by Kafka, {@code latencyNanos} after it was sent. */
  void published(String type, long latencyNanos);

  /** Something of {@code kind} went wrong (store, snapshot, publish, refused, ...). */
  void error(String kind);
}
