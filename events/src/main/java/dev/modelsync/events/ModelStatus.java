package dev.modelsync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one api replica did with a version: loaded it, made it the one answering, failed to load it,
 * refused it at its gate or in a rollout, unloaded it, or what it measured of a rollout.
 *
 * @param type one of {@link EventTypes#LOADED}, {@link EventTypes#ACTIVATED}, {@link
 *     EventTypes#LOAD_FAILED}, {@link EventTypes#REJECTED}, {@link EventTypes#UNLOADED}
 * @param model model name
 * @param version version
 * @param digest digest of the version, when known
 * @param replica the replica's instance id
 * @param loadMillis time to verify, load and warm up, for loaded/activated; else null
 * @param saveToServeMillis from the save event's {@code savedAt} to activation; else null
 * @param reason why a load failed, a version was rejected or unloaded; else null
 * @param at when it happened
 * @param mismatches for {@code model.rejected}: the first values that differ from the gate's
 *     expectations (at most {@link #MAX_MISMATCHES}); else empty
 * @param rollout for {@code model.rollout_progress}, and a {@code model.rejected} that ends a
 *     rollout: what this replica measured of it; else null
 */
public record ModelStatus(
    String type,
    String model,
    long version,
    String digest,
    String replica,
    Long loadMillis,
    Long saveToServeMillis,
    String reason,
    Instant at,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Mismatch> mismatches,
    @JsonInclude(JsonInclude.Include.NON_NULL) RolloutMeasures rollout)
    implements ModelEvent {

  /** The most mismatches an event carries: enough to see the pattern, small on the topic. */
  public static final int MAX_MISMATCHES = 5;

  private static final Set<String> TYPES =
      Set.of(
          EventTypes.LOADED,
          EventTypes.ACTIVATED,
          EventTypes.LOAD_FAILED,
          EventTypes.REJECTED,
          EventTypes.UNLOADED,
          EventTypes.ROLLOUT_PROGRESS);

  public ModelStatus {
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("not a status event type: " + type);
    }
    ModelNames.requireValid(model);
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(at, "at");
    mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
  }

  /**
   * One output value that differs from the gate's expectation.
   *
   * @param gateCase index of the gate case
   * @param output output name
   * @param index flat row-major index in the output
   * @param expected the expected value
   * @param actual the value the version answered; null when the output or value is missing
   * @param abs the absolute tolerance applied; null for none
   * @param rel the relative tolerance applied; null for none
   */
  public record Mismatch(
      int gateCase,
      String output,
      long index,
      Double expected,
      Double actual,
      Double abs,
      Double rel) {}
}
