package dev.modelsync.agent.watch;

import java.util.Locale;
import java.util.Optional;

/** How the agent learns of changes in the models directory ({@code MODELSYNC_WATCH}). */
public enum WatchMode {
  /** inotify where it works (Linux, a local file system, JNA loads); poll otherwise. */
  AUTO,
  /** inotify, or the agent does not start. */
  INOTIFY,
  /** The JDK's WatchService and the quiet period: portable, slower to call a save complete. */
  POLL;

  /** The mode named by {@code text} (any case), if it names one. */
  public static Optional<WatchMode> parse(String text) {
    for (WatchMode mode : values()) {
      if (mode.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
