package dev.modelsync.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * The shared secret that signs model events ({@code MODELSYNC_EVENT_KEY}); every process that
 * produces or consumes model events reads it with {@link #from(Settings)}. It is never printed:
 * {@link #toString()} is redacted and there is no flag, so it does not show in a process list.
 */
public final class EventKey {
  /** Shorter secrets are refused; 32 characters carry the 256 bits HMAC-SHA256 can use. */
  public static final int MIN_LENGTH = 32;

  public static final Option OPTION =
      Option.optional(
              "MODELSYNC_EVENT_KEY",
              null,
              null,
              "shared secret (at least "
                  + MIN_LENGTH
                  + " characters) that signs model events; when set, unsigned or badly signed"
                  + " events are refused")
          .hidden();

  private final byte[] secret;

  private EventKey(byte[] secret) {
    this.secret = secret;
  }

  /**
   * The key from its text.
   *
   * @throws ConfigException naming {@code MODELSYNC_EVENT_KEY} if it is shorter than {@link
   *     #MIN_LENGTH}; the message never contains the value
   */
  public static EventKey of(String secret) {
    if (secret == null || secret.length() < MIN_LENGTH) {
      throw new ConfigException(
          OPTION.label()
              + " must be at least "
              + MIN_LENGTH
              + " characters, got "
              + (secret == null ? 0 : secret.length()));
    }
    return new EventKey(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key if {@code MODELSYNC_EVENT_KEY} is set; empty means events are neither signed nor
   * checked.
   */
  public static Optional<EventKey> from(Settings settings) {
    return Optional.ofNullable(settings.optionalString(OPTION)).map(EventKey::of);
  }

  /** A copy of the secret's UTF-8 bytes, the HMAC key. */
  public byte[] macKey() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventKey other && MessageDigest.isEqual(secret, other.secret);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(secret);
  }

  @Override
  public String toString() {
    return "EventKey[redacted]";
  }
}
