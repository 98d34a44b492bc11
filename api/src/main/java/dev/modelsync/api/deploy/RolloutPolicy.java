package dev.modelsync.api.deploy;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.events.Manifest;
import java.util.List;

/**
 * A version's rollout, checked: {@code rollout} of its {@code model.json} with every field in range
 * and the defaults filled in. A bad field is a {@link ModelLoadException} naming it, so the version
 * is refused like any bad {@code model.json}, before it is loaded.
 */
record RolloutPolicy(
    RolloutMode mode,
    Manifest.Tolerance tolerance,
    double maxDivergentShare,
    long promoteAfter,
    List<Integer> steps,
    long dwellMs,
    long minRequests,
    double maxErrorRateIncrease,
    double maxP99IncreaseMs) {

  static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 100);

  /** The policy of a version whose model.json names none. */
  static RolloutPolicy defaults(RolloutMode mode) {
    return new RolloutPolicy(
        mode, Manifest.Tolerance.DEFAULT, 0, 0, DEFAULT_STEPS, 60_000, 20, 0.01, 100);
  }

  /** Checks {@code manifest}'s rollout; {@code byDefault} applies when it has none. */
  static RolloutPolicy of(Manifest manifest, RolloutMode byDefault) throws ModelLoadException {
    Manifest.Rollout r = manifest == null ? null : manifest.rollout();
    RolloutPolicy d = defaults(byDefault);
    if (r == null) {
      return d;
    }
    RolloutMode mode = d.mode();
    if (r.policy() != null) {
      mode = RolloutMode.parse(r.policy());
      if (mode == null) {
        throw bad("policy", "must be instant, shadow or canary, got '" + r.policy() + "'");
      }
    }
    Manifest.Tolerance tolerance = r.tolerance() == null ? d.tolerance() : r.tolerance();
    for (Double bound : new Double[] {tolerance.abs(), tolerance.rel()}) {
      if (bound != null && !(bound >= 0 && bound < Double.POSITIVE_INFINITY)) {
        throw bad("tolerance", "must be finite and >= 0, got " + bound);
      }
    }
    double share = r.maxDivergentShare() == null ? 0 : r.maxDivergentShare();
    if (!(share >= 0 && share <= 1)) {
      throw bad("maxDivergentShare", "must be from 0 to 1, got " + share);
    }
    long promoteAfter = r.promoteAfter() == null ? 0 : r.promoteAfter();
    if (promoteAfter < 0) {
      throw bad("promoteAfter", "must be >= 0, got " + promoteAfter);
    }
    List<Integer> steps = r.steps() == null ? d.steps() : List.copyOf(r.steps());
    checkSteps(steps);
    long dwellMs = r.dwellMs() == null ? d.dwellMs() : r.dwellMs();
    if (dwellMs < 1 || dwellMs > 86_400_000L) {
      throw bad("dwellMs", "must be from 1 to 86400000, got " + dwellMs);
    }
    long minRequests = r.minRequests() == null ? d.minRequests() : r.minRequests();
    if (minRequests < 1) {
      throw bad("minRequests", "must be >= 1, got " + minRequests);
    }
    double errors =
        r.maxErrorRateIncrease() == null ? d.maxErrorRateIncrease() : r.maxErrorRateIncrease();
    if (!(errors >= 0 && errors <= 1)) {
      throw bad("maxErrorRateIncrease", "must be from 0 to 1, got " + errors);
    }
    double p99 = r.maxP99IncreaseMs() == null ? d.maxP99IncreaseMs() : r.maxP99IncreaseMs();
    if (!(p99 >= 0 && p99 < Double.POSITIVE_INFINITY)) {
      throw bad("maxP99IncreaseMs", "must be finite and >= 0, got " + p99);
    }
    return new RolloutPolicy(
        mode, tolerance, share, promoteAfter, steps, dwellMs, minRequests, errors, p99);
  }

  private static void checkSteps(List<Integer> steps) throws ModelLoadException {
    if (steps.isEmpty()
        || steps.get(steps.size() - 1) == null
        || steps.get(steps.size() - 1) != 100) {
      throw bad("steps", "must be increasing shares from 1 to 100 ending with 100, got " + steps);
    }
    int previous = 0;
    for (Integer s : steps) {
      if (s == null || s <= previous || s > 100) {
        throw bad("steps", "must be increasing shares from 1 to 100 ending with 100, got " + steps);
      }
      previous = s;
    }
  }

  private static ModelLoadException bad(String field, String what) {
    return new ModelLoadException("bad rollout in model.json: rollout." + field + " " + what);
  }
}
