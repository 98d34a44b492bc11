package dev.modelsync.events;

import java.time.Instant;
import java.util.Objects;

/**
 * An admin pinned a version of a model, or unpinned it, through one api replica. It goes on the
 * events topic (same key, the model name, so it is ordered with the model's saves and deletions)
 * and every replica applies it, including one rebuilding its catalog from the topic later: the
 * newest {@code model.pinned} of a model decides what it serves.
 *
 * @param model model name
 * @param version the pinned version; 0 = unpinned (serve the newest loaded version again)
 * @param pinnedAt when the replica took the admin call
 * @param replica the replica that took it (its instance id), for the record
 */
public record ModelPinned(String model, long version, Instant pinnedAt, String replica)
    implements ModelEvent {

  public ModelPinned {
    ModelNames.requireValid(model);
    if (version != 0) {
      ModelNames.requireValidVersion(version);
    }
    Objects.requireNonNull(pinnedAt, "pinnedAt");
    Objects.requireNonNull(replica, "replica");
  }

  /** Whether this lifts the pin rather than setting one. */
  public boolean unpinned() {
    return version == 0;
  }

  @Override
  public String type() {
    return EventTypes.PINNED;
  }
}
