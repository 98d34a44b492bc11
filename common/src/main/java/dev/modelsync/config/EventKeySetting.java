package dev.modelsync.config;

import dev.modelsync.events.EventKey;
import java.util.Optional;

/** How a process reads the contract's {@link EventKey} from its settings. */
public final class EventKeySetting {
  public static final Option OPTION =
      Option.optional(
              "MODELSYNC_EVENT_KEY", // EventKey.ENV, written out for notebook-image/check.sh
              null,
              null,
              "shared secret (at least "
                  + EventKey.MIN_LENGTH
                  + " characters) that signs model events; when set, unsigned or badly signed"
                  + " events are refused")
          .hidden();

  private EventKeySetting() {}

  /**
   * The key if {@code MODELSYNC_EVENT_KEY} is set; empty means events are neither signed nor
   * checked.
   *
   * @throws ConfigException naming the variable if the value is too short; never holding it
   */
  public static Optional<EventKey> from(Settings settings) {
    String value = settings.optionalString(OPTION);
    if (value == null) {
      return Optional.empty();
    }
    // a short value is a ConfigException (the process's start-up error), not the contract's own
    Secret.of(OPTION, value, EventKey.MIN_LENGTH);
    return Optional.of(EventKey.of(value));
  }
}
