package dev.modelsync.events;

/** CloudEvents {@code type} values. */
public final class EventTypes {
  public static final String SAVED = "dev.modelsync.model.saved";
  public static final String DELETED = "dev.modelsync.model.deleted";
  public static final String PINNED = "dev.modelsync.model.pinned";
  public static final String LOADED = "dev.modelsync.model.loaded";
  public static final String ACTIVATED = "dev.modelsync.model.activated";
  public static final String LOAD_FAILED = "dev.modelsync.model.load_failed";
  public static final String UNLOADED = "dev.modelsync.model.unloaded";

  /**
   * A replica refused a version: its gate's answers differ, or it has no gate and one is required.
   */
  public static final String REJECTED = "dev.modelsync.model.rejected";

  private EventTypes() {}
}
