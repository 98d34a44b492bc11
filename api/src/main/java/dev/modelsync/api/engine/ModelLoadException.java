package dev.modelsync.api.engine;

/** A version could not be loaded; the message is the reason published in model.load_failed. */
public final class ModelLoadException extends Exception {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
