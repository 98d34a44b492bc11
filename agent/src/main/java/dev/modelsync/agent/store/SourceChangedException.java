package dev.modelsync.agent.store;

import java.io.IOException;

/** A source file changed while it was being copied into the store: look at the save again. */
public final class SourceChangedException extends IOException {
  public SourceChangedException(String message) {
    super(message);
  }

  public SourceChangedException(String message, Throwable cause) {
    super(message, cause);
  }
}
