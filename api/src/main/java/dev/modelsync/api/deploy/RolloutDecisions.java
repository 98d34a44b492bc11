package dev.modelsync.api.deploy;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.RolloutDecided;
import java.util.HashMap;
import java.util.Map;

/**
 * The rollout decisions read from the events topic, in topic order: per version, the first promote
 * or roll back (later ones change nothing) and the furthest canary step before it. Every replica
 * keeps the same, so they agree, and a replica rebuilding from the topic knows where each rollout
 * stands. Used on the deployer's context.
 */
final class RolloutDecisions {
  private final Map<String, RolloutDecided> outcomes = new HashMap<>();
  private final Map<String, RolloutDecided> steps = new HashMap<>();

  /**
   * Notes a decision; true when it changes anything: the first promote or roll back of its version,
   * or a step beyond the furthest so far of a version not decided yet.
   */
  boolean record(RolloutDecided d) {
    String k = key(d.model(), d.version());
    if (outcomes.containsKey(k)) {
      return false;
    }
    if (d.terminal()) {
      outcomes.put(k, d);
      return true;
    }
    RolloutDecided before = steps.get(k);
    if (before != null && d.step() <= before.step()) {
      return false;
    }
    steps.put(k, d);
    return true;
  }

  /** Whether a promote or roll back of the version was read. */
  boolean decided(String model, long version) {
    return outcomes.containsKey(key(model, version));
  }

  /** The index in the policy's steps a canary of the version has reached; 0 before any step. */
  int step(String model, long version) {
    RolloutDecided d = steps.get(key(model, version));
    return d == null ? 0 : d.step();
  }

  /** Why the version may not load (its rollout rolled it back), or null. */
  String refusal(String model, long version) {
    RolloutDecided d = outcomes.get(key(model, version));
    return d != null && d.type().equals(EventTypes.ROLLED_BACK)
        ? "rolled back by its rollout: " + d.reason()
        : null;
  }

  private static String key(String model, long version) {
    return model + "/" + version;
  }
}
