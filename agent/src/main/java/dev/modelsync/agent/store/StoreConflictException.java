package dev.modelsync.agent.store;

/** A version is already in the store with other contents; it is never overwritten. */
public final class StoreConflictException extends java.io.IOException {
  public StoreConflictException(String message) {
    super(message);
  }
}
