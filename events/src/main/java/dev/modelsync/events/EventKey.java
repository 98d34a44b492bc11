package dev.modelsync.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The shared secret that signs model events ({@value #ENV}); every process that produces or
 * consumes model events holds the same one. It is never printed: {@link #toString()} is redacted.
 * Processes read it from their settings with {@code dev.modelsync.config.EventKeySetting}.
 */
public final class EventKey {
  /**
   * The environment variable that holds the secret (there is no flag: no process list shows it).
   */
  public static final String ENV = "MODELSYNC_EVENT_KEY";

  /** Shorter secrets are refused; 32 characters carry the 256 bits HMAC-SHA256 can use. */
  public static final int MIN_LENGTH = 32;

  private final byte[] secret;

  private EventKey(byte[] secret) {
    this.secret = secret;
  }

  /**
   * The key from its text.
   *
   * @throws IllegalArgumentException naming {@value #ENV} if it is shorter than {@link
   *     #MIN_LENGTH}; the message never contains the value
   */
  public static EventKey of(String secret) {
    if (secret == null || secret.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          ENV
              + " must be at least "
              + MIN_LENGTH
              + " characters, got "
              + (secret == null ? 0 : secret.length()));
    }
    return new EventKey(secret.getBytes(StandardCharsets.UTF_8));
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
