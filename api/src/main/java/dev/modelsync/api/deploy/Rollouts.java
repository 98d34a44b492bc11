package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.CatalogException;
import dev.modelsync.api.catalog.CatalogException.Kind;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.RolloutDecided;
import dev.modelsync.events.RolloutMeasures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollouts of this replica and the decisions every replica shares. A replica decides from its
 * own measures (or an admin's call) but applies nothing itself: it records the decision on the
 * events topic ({@link DecisionLog}), and every replica, itself included, applies the decisions in
 * topic order ({@link #apply}); the first promote or roll back of a version wins, later ones are
 * no-ops, and a step applies only if it moves forward. A replica rebuilding from the topic
 * remembers them ({@link #remember}) and resumes where they left off. Everything here runs on the
 * deployer's context, inside the model's queue.
 */
final class Rollouts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
  static final long PROGRESS_MS = 1_000;
  static final long TICK_MS = 250;

  /** A rollout of one model as the admin API shows it. */
  record View(
      String model,
      long candidate,
      long baseline,
      String policy,
      int share,
      RolloutMeasures measures) {}

  private final Deployer deployer;
  private final Catalog catalog;
  private final Context context;
  private final ApiMetrics metrics;
  private final RolloutProposals proposals;
  private final StatusReports reports;
  private final RolloutMode byDefault;
  private final Map<String, ActiveRollout> active = new HashMap<>();
  private final RolloutDecisions decisions = new RolloutDecisions();
  private final Set<String> loadingNewest = new HashSet<>();
  private ShadowRunner runner;
  private long progressTimer = -1;
  private volatile boolean closed;

  Rollouts(
      Deployer deployer,
      Context context,
      ApiMetrics metrics,
      DecisionLog log,
      StatusReports reports,
      RolloutMode byDefault) {
    this.deployer = deployer;
    this.catalog = deployer.catalog();
    this.context = context;
    this.metrics = metrics;
    this.proposals = new RolloutProposals(log, deployer.replica());
    this.reports = reports;
    this.byDefault = byDefault;
  }

  /** The checked policy of a saved version; a bad field names it. */
  RolloutPolicy policy(ModelSaved saved) throws ModelLoadException {
    return RolloutPolicy.of(saved.manifest(), byDefault);
  }

  /** Why a version may not load: its rollout was rolled back (on the topic); else null. */
  String refusal(String model, long version) {
    return decisions.refusal(model, version);
  }

  /**
   * Whether a version about to load is held back as a rollout's candidate: its policy is not
   * instant, no decision ended its rollout, it is newer than every loaded version, and there is an
   * older version to compare it with (loaded, or still to load while rebuilding).
   */
  boolean holds(ModelSaved saved, RolloutPolicy policy) {
    if (policy.mode() == RolloutMode.INSTANT || decisions.decided(saved.model(), saved.version())) {
      return false;
    }
    var loaded = catalog.slot(saved.model()).versions();
    if (!loaded.isEmpty() && loaded.lastKey() >= saved.version()) {
      return false;
    }
    return catalog.serving(saved.model()) != null
        || deployer.known(saved.model()).lowerKey(saved.version()) != null;
  }

  /** A newer version supersedes the candidate under way, which is dropped without a decision. */
  void supersede(String model, long newer) {
    ActiveRollout r = active.get(model);
    if (r != null && r.version() < newer) {
      end(r);
      ServedVersion removed = catalog.remove(model, r.version());
      if (removed != null) {
        deployer.unloaded(removed, "superseded by version " + newer + " during its rollout");
      }
    }
  }

  /** Marks the loads of a model's newest versions, newest first (a rebuild, a repository load). */
  void loadingNewest(String model, boolean loading) {
    if (loading) {
      loadingNewest.add(model);
    } else {
      loadingNewest.remove(model);
    }
  }

  /**
   * A held candidate was added to the catalog: its rollout starts beside the version serving. While
   * the older versions are still to load, {@link #resume} starts it after them; with none at all,
   * the candidate serves.
   */
  void held(ServedVersion candidate, RolloutPolicy policy) {
    ServedVersion baseline = catalog.serving(candidate.model());
    if (baseline != null) {
      start(candidate, baseline, policy);
    } else if (!loadingNewest.contains(candidate.model())) {
      catalog.promote(candidate.model(), candidate.version());
      deployer.activated(candidate, "no older version serves to compare it with");
    }
  }

  /**
   * After a rebuild loaded a model: starts the rollout of a held candidate, at the step the topic
   * recorded; with nothing to compare it with, the candidate serves.
   */
  void resume(String model) {
    Long candidate = catalog.slot(model).candidate();
    if (candidate == null || active.containsKey(model)) {
      return;
    }
    ServedVersion v = catalog.version(model, candidate);
    ServedVersion baseline = catalog.serving(model);
    RolloutPolicy policy;
    try {
      policy = policy(deployer.known(model).get(candidate));
    } catch (ModelLoadException | RuntimeException e) {
      policy = null;
    }
    if (baseline == null || policy == null) {
      catalog.promote(model, candidate);
      deployer.activated(v, "no older version serves to compare it with");
      return;
    }
    start(v, baseline, policy);
  }

  private void start(ServedVersion candidate, ServedVersion baseline, RolloutPolicy policy) {
    String model = candidate.model();
    ActiveRollout r;
    if (policy.mode() == RolloutMode.SHADOW) {
      if (runner == null) {
        Deployer.Config config = deployer.config();
        runner =
            new ShadowRunner(config.maxTensorBytes(), config.shadowQueue(), config.shadowStack());
      }
      ShadowRollout shadow =
          new ShadowRollout(candidate, baseline, policy, metrics, runner, this::due);
      shadow.start();
      r = shadow;
    } else {
      CanaryRollout canary = new CanaryRollout(candidate, baseline, policy, metrics);
      canary.start();
      canary.enter(decisions.step(model, candidate.version()), catalog);
      arm(canary);
      r = canary;
    }
    active.put(model, r);
    if (progressTimer < 0) {
      progressTimer = context.owner().setPeriodic(PROGRESS_MS, id -> progress());
    }
    LOG.info(
        "Rollout of {} version {} ({}) started: {} beside version {}{}",
        model,
        candidate.version(),
        candidate.digest(),
        policy.mode().label(),
        baseline.version(),
        r.share() > 0 ? " at " + r.share() + "%" : "");
  }

  /** A shadow compared {@code promoteAfter} copies (shadow thread): decide on the context. */
  private void due(ShadowRollout shadow) {
    context.runOnContext(
        v ->
            deployer.serially(
                shadow.model(),
                () -> {
                  if (active.get(shadow.model()) != shadow) {
                    return Future.succeededFuture();
                  }
                  RolloutMeasures m = shadow.measures();
                  String type =
                      shadow.withinThreshold(m) ? EventTypes.PROMOTED : EventTypes.ROLLED_BACK;
                  propose(shadow, type, 0, 0, shadow.reason(m), m);
                  return Future.succeededFuture();
                }));
  }

  /** Looks at the canary's step again shortly, on the context, in the model's queue. */
  private void arm(CanaryRollout canary) {
    long tick = Math.max(1, Math.min(canary.policy.dwellMs(), TICK_MS));
    canary.timer =
        context
            .owner()
            .setTimer(
                tick,
                id ->
                    deployer.serially(
                        canary.model(),
                        () -> {
                          evaluate(canary);
                          return Future.succeededFuture();
                        }));
  }

  private void evaluate(CanaryRollout canary) {
    if (closed || active.get(canary.model()) != canary) {
      return;
    }
    CanaryRollout.Verdict verdict = canary.verdict();
    if (verdict != null) {
      propose(
          canary,
          verdict.type(),
          verdict.step(),
          verdict.share(),
          verdict.reason(),
          canary.measures());
    }
    // again shortly: a step applied meanwhile starts a new window, and a proposal lost on the way
    // to Kafka is made again
    arm(canary);
  }

  private void propose(
      ActiveRollout r, String type, int step, int share, String reason, RolloutMeasures m) {
    if (!closed) {
      proposals.propose(r, type, step, share, reason, m);
    }
  }

  /** An admin promotes or rolls back the candidate under way; returns its version. */
  Future<Long> decide(String model, String type) {
    ActiveRollout r = active.get(model);
    if (r == null) {
      return Future.failedFuture(
          new CatalogException(Kind.CONFLICT, model + " has no rollout under way"));
    }
    return proposals.byAdmin(r, type);
  }

  /** Notes a decision read while catching up on the topic. */
  void remember(RolloutDecided d) {
    decisions.record(d);
  }

  /**
   * Applies a decision read from the topic (this replica's own included): the first promote or roll
   * back of a version, or a step forward; anything else is a no-op.
   */
  Future<?> apply(RolloutDecided d) {
    if (!decisions.record(d)) {
      LOG.debug("Ignoring {} of {} version {}: decided before", d.type(), d.model(), d.version());
      return Future.succeededFuture();
    }
    ActiveRollout r = active.get(d.model());
    if (r == null || r.version() != d.version()) {
      return Future.succeededFuture(); // remembered: a later load of the version follows it
    }
    metrics.rolloutDecided(d.model(), d.type().substring(d.type().lastIndexOf('.') + 1));
    String why = d.reason() == null ? "by " + d.replica() : d.reason();
    switch (d.type()) {
      case EventTypes.PROMOTED -> {
        end(r);
        catalog.promote(d.model(), d.version());
        deployer.activated(r.candidate, "promoted by its " + r.policy.mode().label() + ": " + why);
        deployer.trim(d.model());
      }
      case EventTypes.ROLLED_BACK -> {
        RolloutMeasures m = r.measures();
        end(r);
        ServedVersion removed = catalog.remove(d.model(), d.version());
        reports.rolledBack(
            r.candidate, "rolled back by its " + r.policy.mode().label() + ": " + why, m);
        deployer.noteFailure(d.model(), d.version(), "rolled back: " + why);
        if (removed != null) {
          deployer.unloaded(removed, "rolled back");
        }
      }
      default -> {
        if (r instanceof CanaryRollout canary && d.step() > canary.step()) {
          canary.enter(d.step(), catalog);
          LOG.info(
              "Canary of {} version {} now at {}%: {}",
              d.model(), d.version(), canary.share(), why);
        }
      }
    }
    return Future.succeededFuture();
  }

  private void end(ActiveRollout r) {
    active.remove(r.model(), r);
    if (r instanceof CanaryRollout canary) {
      context.owner().cancelTimer(canary.timer);
    }
    r.stop();
    reports.progress(r.candidate, r.measures());
  }

  /** A deleted version that was a candidate ends its rollout. */
  void deleted(String model, long version) {
    ActiveRollout r = active.get(model);
    if (r != null && r.version() == version) {
      end(r);
    }
  }

  /** Reports every rollout's measures on the status topic. */
  private void progress() {
    for (ActiveRollout r : List.copyOf(active.values())) {
      reports.progress(r.candidate, r.measures());
    }
  }

  /**
   * The model's rollout, or null. A candidate already added but whose rollout has not started yet
   * (it just loaded, or waits for the older versions) shows as {@code starting}, so that nobody
   * takes the gap for a decision.
   */
  View view(String model) {
    ActiveRollout r = active.get(model);
    if (r == null) {
      Long candidate = catalog.slot(model).candidate();
      ServedVersion serving = catalog.serving(model);
      return candidate == null
          ? null
          : new View(
              model, candidate, serving == null ? 0 : serving.version(), "starting", 0, null);
    }
    return new View(
        model, r.version(), r.baseline.version(), r.policy.mode().label(), r.share(), r.measures());
  }

  @Override
  public void close() {
    closed = true;
    for (ActiveRollout r : List.copyOf(active.values())) {
      if (r instanceof CanaryRollout canary) {
        context.owner().cancelTimer(canary.timer);
      }
      r.stop();
    }
    active.clear();
    if (progressTimer >= 0) {
      context.owner().cancelTimer(progressTimer);
    }
    if (runner != null) {
      runner.close();
    }
  }
}
