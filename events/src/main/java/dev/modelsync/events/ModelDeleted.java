package dev.modelsync.events;

import java.time.Instant;
import java.util.Objects;

/**
 * A version was removed from the models directory. Replicas unload it; the store keeps its files.
 *
 * @param model model name
 * @param version the removed version
 * @param digest the digest that version was published with
 * @param deletedAt when the agent saw it gone
 */
public record ModelDeleted(String model, long version, String digest, Instant deletedAt)
    implements ModelEvent {

  public ModelDeleted {
    ModelNames.requireValid(model);
    ModelNames.requireValidVersion(version);
    Objects.requireNonNull(deletedAt, "deletedAt");
  }

  @Override
  public String type() {
    return EventTypes.DELETED;
  }
}
