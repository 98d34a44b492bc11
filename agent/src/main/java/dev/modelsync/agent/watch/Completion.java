package dev.modelsync.agent.watch;

import dev.modelsync.agent.watch.Observation.ManifestState;

/**
 * Decides whether a save is complete. Pure: the caller observes the files and tracks how long they
 * have stayed the same.
 *
 * <p>A save is complete when it holds a non-empty model file and (1) a {@code model.json} that
 * parses, written last by the helper, or (2) it was renamed into place, or (3) nothing changed for
 * the quiet period. Rules 1 and 2 also need no temporary or partial file inside, which would mean a
 * writer is still at work; rule 3 does not, so a stale temporary file cannot block a save forever.
 */
public final class Completion {
  private Completion() {}

  /** The outcome of one decision. */
  public record Decision(Kind kind, String reason, long recheckInMs) {
    static Decision complete(String reason) {
      return new Decision(Kind.COMPLETE, reason, 0);
    }

    static Decision waitFor(String reason, long ms) {
      return new Decision(Kind.WAIT, reason, Math.max(1, ms));
    }

    static Decision invalid(String reason) {
      return new Decision(Kind.INVALID, reason, 0);
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

  /**
   * @param observation the unit now
   * @param unchangedForMs how long the unit has had this observation's fingerprint
   * @param quietMs the quiet period
   */
  public static Decision decide(Observation observation, long unchangedForMs, long quietMs) {
    boolean quiet = unchangedForMs >= quietMs;
    long remaining = quietMs - unchangedForMs;
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
      return Decision.complete("model.json present");
    }
    if (!writing && observation.renamedIn()) {
      return Decision.complete("renamed into place");
    }
    if (quiet) {
      return Decision.complete("unchanged for " + quietMs + " ms");
    }
    return Decision.waitFor("still changing", remaining);
  }
}
