package dev.modelsync.api.engine;

/** The engine failed to run a model on inputs that matched its signature. */
public final class InferenceException extends Exception {
  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
