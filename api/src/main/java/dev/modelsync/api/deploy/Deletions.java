package dev.modelsync.api.deploy;

import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelSaved;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The deletions read from the topic, per model and version, so that a {@code model.saved} replayed
 * after its version was deleted is refused: a save counts only if the agent saw it after the last
 * deletion of that version ({@code savedAt} later than {@code deletedAt}, both the agent's clock
 * and both inside the signed data). A version saved again for real after a deletion has a later
 * {@code savedAt} and is accepted. The topic keeps every event ({@code Topics.MODEL_EVENTS_CONFIG},
 * checked at start by {@code TopicRetention}), so a replica rebuilding from the start reads the
 * deletion before any replay that followed it and refuses the replay too. Only touched on the
 * deployer's context.
 */
final class Deletions {
  private final Map<String, Map<Long, Instant>> deletedAt = new HashMap<>();

  void record(ModelDeleted deleted) {
    deletedAt
        .computeIfAbsent(deleted.model(), m -> new HashMap<>())
        .merge(deleted.version(), deleted.deletedAt(), (a, b) -> a.isAfter(b) ? a : b);
  }

  /** Why {@code saved} is refused, or null when it may load. */
  String refusal(ModelSaved saved) {
    Instant deleted = deletedAt.getOrDefault(saved.model(), Map.of()).get(saved.version());
    if (deleted == null || saved.savedAt().isAfter(deleted)) {
      return null;
    }
    return "refused: version "
        + saved.version()
        + " was deleted at "
        + deleted
        + " and this model.saved is from "
        + saved.savedAt()
        + " (a replayed event)";
  }
}
