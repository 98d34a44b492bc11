package dev.modelsync.events;

/** A record on a modelsync topic that is not a valid modelsync CloudEvent. */
public final class EventDecodingException extends Exception {
  public EventDecodingException(String message, Throwable cause) {
    super(message, cause);
  }

  public EventDecodingException(String message) {
    super(message);
  }
}
