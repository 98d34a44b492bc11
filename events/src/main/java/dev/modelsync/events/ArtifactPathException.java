package dev.modelsync.events;

/** An event's artifact location or file path would leave the store, or is not in it. */
public final class ArtifactPathException extends Exception {
  public ArtifactPathException(String message) {
    super(message);
  }
}
