package dev.modelsync.api.deploy;

import java.util.Locale;

/**
 * How a new version replaces the served one: {@code rollout.policy} of {@code model.json}, or
 * {@code MODELSYNC_ROLLOUT} when it has none.
 */
public enum RolloutMode {
  /** It serves as soon as it loaded, warmed up and passed its gate. */
  INSTANT,
  /** It runs a copy of live requests beside the served version until promoted or rolled back. */
  SHADOW,
  /** It serves a growing share of requests, step by step, unless its measures are worse. */
  CANARY;

  /** The mode named {@code text} ({@code instant}, {@code shadow}, {@code canary}), or null. */
  public static RolloutMode parse(String text) {
    for (RolloutMode m : values()) {
      if (m.label().equals(text)) {
        return m;
      }
    }
    return null;
  }

  /** The name used in model.json, the environment and events. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
