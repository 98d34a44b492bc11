package dev.modelsync.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret setting (a token, a password): its value never shows in {@link #toString()}, so a record
 * holding one can be logged whole, and comparing against it takes constant time.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * A secret of at least {@code minLength} characters.
   *
   * @throws ConfigException naming {@code option} when shorter; the message never holds the value
   */
  public static Secret of(Option option, String value, int minLength) {
    Objects.requireNonNull(option, "option");
    if (value == null || value.length() < minLength) {
      throw new ConfigException(
          option.label()
              + " must be at least "
              + minLength
              + " characters, got "
              + (value == null ? 0 : value.length()));
    }
    return new Secret(value);
  }

  /** Whether {@code given} is this secret, compared in constant time. */
  public boolean matches(String given) {
    return given != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other && other.matches(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "[redacted]";
  }
}
