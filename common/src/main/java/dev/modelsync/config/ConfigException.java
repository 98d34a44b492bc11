package dev.modelsync.config;

/**
 * A setting is missing or has a bad value; the message names the variable and says what is wrong.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
