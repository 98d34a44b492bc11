package dev.modelsync.api.deploy;

/**
 * {@code MODELSYNC_GATE}: what the api does with a version whose {@code model.json} has no gate.
 */
public enum GateMode {
  /** It serves after warm-up, as without gates. */
  OFF,
  /** It is refused with {@code model.rejected}. */
  REQUIRED
}
