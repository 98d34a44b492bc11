package dev.modelsync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A decision of a staged rollout ({@code rollout} of {@code model.json}): promote the candidate,
 * move a canary to its next share, or roll the candidate back. One replica decides (from its own
 * measures, or an admin call) and records it on the events topic, keyed by the model name so that
 * it is ordered with the model's saves; every replica applies it as it reads it, a replica
 * rebuilding from the topic included. The first promote or roll back of a version in topic order
 * wins, later ones are no-ops; a step applies only if it moves the share forward.
 *
 * @param type {@link EventTypes#PROMOTED}, {@link EventTypes#STEPPED} or {@link
 *     EventTypes#ROLLED_BACK}
 * @param model model name
 * @param version the candidate version
 * @param step for {@code stepped}: the index in the policy's {@code steps} now in force; else 0
 * @param share for {@code stepped}: the candidate's share of requests in percent; else 0
 * @param reason why (the measures against the margins, or "by an admin on ...")
 * @param replica the replica that decided (its instance id)
 * @param decidedAt when it decided
 * @param measures what the deciding replica had measured; null for an admin's call
 */
public record RolloutDecided(
    String type,
    String model,
    long version,
    int step,
    int share,
    String reason,
    String replica,
    Instant decidedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) RolloutMeasures measures)
    implements ModelEvent {

  private static final Set<String> TYPES =
      Set.of(EventTypes.PROMOTED, EventTypes.STEPPED, EventTypes.ROLLED_BACK);

  public RolloutDecided {
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("not a rollout decision type: " + type);
    }
    ModelNames.requireValid(model);
    ModelNames.requireValidVersion(version);
    if (step < 0 || share < 0 || share > 100) {
      throw new IllegalArgumentException("bad step " + step + " or share " + share);
    }
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(decidedAt, "decidedAt");
  }

  /** Whether this ends the rollout (promote or roll back) rather than moving a canary on. */
  public boolean terminal() {
    return !type.equals(EventTypes.STEPPED);
  }
}
