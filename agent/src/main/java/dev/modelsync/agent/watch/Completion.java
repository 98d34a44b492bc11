package dev.modelsync.agent.watch;

import dev.modelsync.agent.watch.Observation.ManifestState;
import dev.modelsync.agent.watch.Signals.Signal;
import java.util.Locale;

/**
 * Decides whether a save is complete. Pure: the caller observes the files and tracks how long they
 * have stayed the same.
 *
 * <p>A save is complete when it holds a non-empty model file and (1) a {@code model.json} that
 * parses, written last by the helper, or (2) inotify saw it moved into place, or (3) inotify saw
 * the writer of a single model file close it, or (4) its ctime says it was renamed into place, or
 * (5) nothing changed for the quiet period. Rules 1, 2 and 4 also need no temporary or partial file
 * inside, which would mean a writer is still at work; rule 5 does not, so a stale temporary file
 * cannot block a save forever. While inotify knows a writer has a file open, no rule applies until
 * it closes it, or until it left the file unchanged for {@link #OPEN_WRITER_MS}.
 */
public final class Completion {
  /**
   * How long a write without its close (a writer that truncated by path, or a lost close event)
   * holds a save back before the quiet rule applies anyway.
   */
  public static final long OPEN_WRITER_MS = 30_000;

  private Completion() {}

  /** The outcome of one decision; {@code rule} is the rule that completed it, or null. */
  public record Decision(Kind kind, String reason, long recheckInMs, Rule rule) {
    static Decision complete(Rule rule, String reason) {
      return new Decision(Kind.COMPLETE, reason, 0, rule);
    }

    static Decision waitFor(String reason, long ms) {
      return new Decision(Kind.WAIT, reason, Math.max(1, ms), null);
    }

    static Decision invalid(String reason) {
      return new Decision(Kind.INVALID, reason, 0, null);
    }
  }

  public enum Kind {
    /** Snapshot and publish it now. */
    COMPLETE,
    /** Look again after {@link Decision#recheckInMs()}, or on the next file event. */
    WAIT,
    /** Settled but not publishable as it is; look again only when something changes. */
    INVALID
  }

  /** Which rule found a save complete; its label tags the completion metric. */
  public enum Rule {
    MANIFEST,
    MOVED_IN,
    CLOSED,
    RENAMED,
    QUIET;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param observation the unit now
   * @param unchangedForMs how long the unit has had this observation's fingerprint
   * @param quietMs the quiet period
   */
  public static Decision decide(Observation observation, long unchangedForMs, long quietMs) {
    boolean quiet = unchangedForMs >= quietMs;
    long remaining = quietMs - unchangedForMs;
    Signal signal = observation.signal();
    long openWriterMs = Math.max(quietMs, OPEN_WRITER_MS);
    if (signal == Signal.WRITING && unchangedForMs < openWriterMs) {
      // looked at again at least every quiet period: a recheck already scheduled holds back others
      return Decision.waitFor(
          "a writer has it open", Math.min(quietMs, openWriterMs - unchangedForMs));
    }
    if (observation.manifestState() == ManifestState.INVALID) {
      String problem =
          observation.manifestProblem() == null
              ? "model.json does not parse"
              : observation.manifestProblem();
      return quiet ? Decision.invalid(problem) : Decision.waitFor(problem + " yet", remaining);
    }
    if (!observation.hasModelFile()) {
      return quiet
          ? Decision.invalid("no non-empty model file")
          : Decision.waitFor("no model file yet", remaining);
    }
    boolean writing = observation.hasPartialFiles();
    if (!writing && observation.manifestState() == ManifestState.VALID) {
      return Decision.complete(Rule.MANIFEST, "model.json present");
    }
    if (!writing && signal == Signal.MOVED_IN) {
      return Decision.complete(Rule.MOVED_IN, "moved into place (inotify)");
    }
    if (signal == Signal.CLOSED) {
      return Decision.complete(Rule.CLOSED, "closed by its writer (inotify)");
    }
    if (!writing && observation.renamedIn()) {
      return Decision.complete(Rule.RENAMED, "renamed into place");
    }
    if (quiet) {
      return Decision.complete(Rule.QUIET, "unchanged for " + quietMs + " ms");
    }
    return Decision.waitFor("still changing", remaining);
  }
}
