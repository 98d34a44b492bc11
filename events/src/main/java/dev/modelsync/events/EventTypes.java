package dev.modelsync.events;

/** CloudEvents {@code type} values. */
public final class EventTypes {
  public static final String SAVED = "dev.modelsync.model.saved";
  public static final String DELETED = "dev.modelsync.model.deleted";
  public static final String PINNED = "dev.modelsync.model.pinned";
  public static final String LOADED = "dev.modelsync.model.loaded";
  public static final String ACTIVATED = "dev.modelsync.model.activated";
  public static final String LOAD_FAILED = "dev.modelsync.model.load_failed";
  public static final String UNLOADED = "dev.modelsync.model.unloaded";

  /**
   * A replica refused a version: its gate's answers differ, or it has no gate and one is required.
   */
  public static final String REJECTED = "dev.modelsync.model.rejected";

  /**
   * A rollout's decision, on the events topic: the candidate version serves every request from now
   * on. Every replica applies the first decision of a version in topic order.
   */
  public static final String PROMOTED = "dev.modelsync.model.promoted";

  /** A canary's decision, on the events topic: the candidate's share of requests moves on. */
  public static final String STEPPED = "dev.modelsync.model.stepped";

  /**
   * A rollout's decision, on the events topic: the candidate is refused (divergence, errors,
   * latency, or an admin) and the version served before keeps serving.
   */
  public static final String ROLLED_BACK = "dev.modelsync.model.rolled_back";

  /**
   * A replica's measures of a rollout under way (divergence of a shadow, error rate and p99 of a
   * canary), on the status topic.
   */
  public static final String ROLLOUT_PROGRESS = "dev.modelsync.model.rollout_progress";

  private EventTypes() {}
}
