package dev.modelsync.events;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What one api replica did with a version: loaded it, made it the one answering, failed to load it,
 * or unloaded it.
 *
 * @param type one of {@link EventTypes#LOADED}, {@link EventTypes#ACTIVATED}, {@link
 *     EventTypes#LOAD_FAILED}, {@link EventTypes#UNLOADED}
 * @param model model name
 * @param version version
 * @param digest digest of the version, when known
 * @param replica the replica's instance id
 * @param loadMillis time to verify, load and warm up, for loaded/activated; else null
 * @param saveToServeMillis from the save event's {@code savedAt} to activation; else null
 * @param reason why a load failed or a version was unloaded; else null
 * @param at when it happened
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
    Instant at)
    implements ModelEvent {

  private static final Set<String> TYPES =
      Set.of(EventTypes.LOADED, EventTypes.ACTIVATED, EventTypes.LOAD_FAILED, EventTypes.UNLOADED);

  public ModelStatus {
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("not a status event type: " + type);
    }
    ModelNames.requireValid(model);
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(at, "at");
  }
}
