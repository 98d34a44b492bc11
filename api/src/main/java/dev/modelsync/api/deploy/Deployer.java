package dev.modelsync.api.deploy;

import dev.modelsync.api.artifacts.ArtifactSource;
import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.EngineRegistry;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.api.metrics.VersionMeters;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelPinned;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.RolloutDecided;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns model events and admin calls into catalog changes. Everything here runs on one Vert.x
 * context but the loads, which run on the load pool, one at a time per model and concurrently
 * across models; a load also adds its version to the catalog, so that it serves without waiting for
 * the context.
 */
public final class Deployer {
  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  /**
   * What a deployer runs with: versions kept, this replica's id, the warm-up tensor cap (also the
   * most input bytes of a stacked shadow run), the gate mode, the default rollout policy, and the
   * shadow thread's queue and the most copies it stacks in one run.
   */
  public record Config(
      int keepVersions,
      String replica,
      long maxTensorBytes,
      GateMode gate,
      RolloutMode rollout,
      int shadowQueue,
      int shadowStack) {}

  private final Context context;
  private final Turns turns;
  private final WorkerExecutor loadPool;
  private final Executor closer;
  private final Catalog catalog;
  private final VersionLoader loader;
  private final Gate gate;
  private final StatusReports reports;
  private final ApiMetrics metrics;
  private final Config config;

  /** Every saved, not deleted version seen on the topic, by model. */
  private final Map<String, NavigableMap<Long, ModelSaved>> known = new HashMap<>();

  private final Deletions deletions = new Deletions();
  private final Pins pins;
  private final Rollouts rollouts;
  private final Map<String, String> failures = new HashMap<>();
  private final Object closing = new Object();
  private volatile boolean closed;

  public Deployer(
      Context context,
      WorkerExecutor loadPool,
      Executor closer,
      Catalog catalog,
      ArtifactSource artifacts,
      EngineRegistry engines,
      StatusSink status,
      ApiMetrics metrics,
      DecisionLog decisions,
      Config config) {
    this.context = context;
    this.turns = new Turns(context);
    this.loadPool = loadPool;
    this.closer = closer;
    this.catalog = catalog;
    this.loader = new VersionLoader(artifacts, engines, metrics, config.maxTensorBytes());
    this.gate = new Gate(config.gate());
    this.reports = new StatusReports(status, metrics, config.replica());
    this.metrics = metrics;
    this.config = config;
    this.pins = new Pins(this, catalog);
    this.rollouts = new Rollouts(this, context, metrics, decisions, reports, config.rollout());
  }

  /** Records an event read while catching up on the topic; nothing is loaded yet. */
  public void replay(ModelEvent event) {
    if (event instanceof RolloutDecided decision) {
      rollouts.remember(decision);
    }
    String refused = remember(event);
    if (refused != null) {
      LOG.warn("Skipping {}: {}", describe(event), refused);
    }
  }

  /** Loads the newest versions of every known model (older ones serve if the newest fail). */
  public Future<Void> rebuild() {
    return onContext(
        () -> {
          List<Future<?>> all = new ArrayList<>();
          for (String model : List.copyOf(known.keySet())) {
            all.add(
                serially(
                    model, () -> loadNewest(model).transform(x -> pins.applyRemembered(model))));
          }
          return Future.join(all).mapEmpty();
        });
  }

  /** Applies an event that arrived after catching up. */
  public void apply(ModelEvent event) {
    context.runOnContext(
        v -> {
          String refused = remember(event);
          if (refused != null) {
            LOG.warn("Skipping {}: {}", describe(event), refused);
            failed((ModelSaved) event, refused);
          } else if (event instanceof ModelSaved saved) {
            serially(saved.model(), () -> load(saved, false));
          } else if (event instanceof ModelDeleted deleted) {
            serially(deleted.model(), () -> unloadDeleted(deleted));
          } else if (event instanceof ModelPinned pin && !pin.replica().equals(config.replica())) {
            serially(pin.model(), () -> pins.apply(pin)); // this replica's own were applied at once
          } else if (event instanceof RolloutDecided decision) {
            serially(decision.model(), () -> rollouts.apply(decision)); // this replica's own too
          }
        });
  }

  /** Notes a saved version or a deletion; the reason when a save is refused as a replay. */
  private String remember(ModelEvent event) {
    if (event instanceof ModelSaved saved) {
      String refused = deletions.refusal(saved);
      if (refused != null) {
        return refused;
      }
      known.computeIfAbsent(saved.model(), m -> new TreeMap<>()).put(saved.version(), saved);
    } else if (event instanceof ModelPinned pin) {
      pins.remember(pin);
    } else if (event instanceof ModelDeleted deleted) {
      deletions.record(deleted);
      NavigableMap<Long, ModelSaved> versions = known.get(deleted.model());
      if (versions != null) {
        versions.remove(deleted.version());
        if (versions.isEmpty()) {
          known.remove(deleted.model());
        }
      }
    }
    return null;
  }

  private static String describe(ModelEvent event) {
    return event.type() + " of " + event.model() + " version " + event.version();
  }

  /**
   * Loads the newest versions of a model, newest first, until the number to keep is loaded; a
   * version that fails is skipped, so an older one serves instead.
   */
  Future<Void> loadNewest(String model) {
    NavigableMap<Long, ModelSaved> versions = known.getOrDefault(model, new TreeMap<>());
    rollouts.loadingNewest(model, true); // a held candidate waits for the older versions
    return loadInTurn(List.copyOf(versions.descendingMap().values()).iterator())
        .andThen(
            x -> {
              rollouts.loadingNewest(model, false);
              rollouts.resume(model);
            });
  }

  private Future<Void> loadInTurn(Iterator<ModelSaved> candidates) {
    if (!candidates.hasNext()) {
      return Future.succeededFuture();
    }
    return load(candidates.next(), false).transform(ar -> loadInTurn(candidates));
  }

  /** Loads a version unless it is loaded already; makes it serve if it is the newest. */
  Future<ServedVersion> load(ModelSaved saved, boolean evenIfOld) {
    ServedVersion existing = catalog.version(saved.model(), saved.version());
    if (existing != null && existing.digest().equals(saved.digest())) {
      return Future.succeededFuture(existing); // at-least-once delivery: a duplicate is a no-op
    }
    var versions = catalog.slot(saved.model()).versions();
    if (!evenIfOld
        && versions.size() >= config.keepVersions()
        && versions.firstKey() > saved.version()
        && catalog.serving(saved.model()) != null) {
      LOG.info(
          "Skipping {} version {}: older than the kept versions", saved.model(), saved.version());
      return Future.succeededFuture();
    }
    String refused = evenIfOld ? null : rollouts.refusal(saved.model(), saved.version());
    if (refused != null) {
      LOG.info("Skipping {} version {}: {}", saved.model(), saved.version(), refused);
      failures.put(key(saved.model(), saved.version()), refused);
      return Future.failedFuture(new IllegalStateException(refused));
    }
    RolloutPolicy checked;
    try {
      checked = rollouts.policy(saved);
    } catch (ModelLoadException e) {
      failed(saved, e.getMessage());
      return Future.failedFuture(e);
    }
    RolloutPolicy policy = checked;
    if (!evenIfOld) {
      rollouts.supersede(saved.model(), saved.version());
    }
    boolean hold = !evenIfOld && rollouts.holds(saved, policy);
    long started = System.nanoTime();
    return loadPool
        .executeBlocking(
            () -> swapIn(saved, gated(saved, loader.load(saved)), started, hold, policy), false)
        .andThen(
            ar -> {
              if (ar.cause() instanceof GateRejected rejection) {
                failures.put(key(saved.model(), saved.version()), rejection.getMessage());
                reports.rejected(saved, rejection);
              } else if (ar.failed() && !(ar.cause() instanceof Closing)) {
                failed(saved, String.valueOf(ar.cause().getMessage()));
              }
            })
        .map(
            swap -> {
              ServedVersion v = announce(saved, swap);
              if (hold) {
                rollouts.held(v, policy);
              }
              return v;
            });
  }

  /** The loaded version if it passes its gate; else it is closed and never added. */
  private LoadedModel gated(ModelSaved saved, LoadedModel model) throws Exception {
    try {
      gate.check(model, saved.manifest());
      return model;
    } catch (Exception e) {
      model.close();
      throw e;
    }
  }

  /** Stops taking new versions: a load finishing after this closes its model at once. */
  public void close() {
    synchronized (closing) {
      closed = true;
    }
    rollouts.close();
  }

  /** A load that finished after {@link #close()}: its model is closed, nothing is reported. */
  private static final class Closing extends IllegalStateException {
    Closing() {
      super("the server is closing");
    }
  }

  /** What {@link #swapIn} did, for {@link #announce} to report. */
  private record Swap(
      ServedVersion added,
      ServedVersion before,
      ServedVersion replaced,
      long loadNanos,
      Instant at) {}

  /**
   * Adds a loaded and warmed-up version to the catalog, on the load thread that warmed it up: the
   * version serves as soon as it can, without waiting for a turn on the deployer's context. The
   * model's queue ({@link #serially}) still orders this against every other change to the model,
   * and the catalog's writes are synchronised, so nothing else changes the model meanwhile.
   */
  private Swap swapIn(
      ModelSaved saved, LoadedModel model, long started, boolean hold, RolloutPolicy policy) {
    ServedVersion v;
    ServedVersion before;
    ServedVersion replaced;
    synchronized (closing) { // once close() returns no version is added, and Api clears the rest
      if (closed) {
        model.close();
        throw new Closing();
      }
      VersionMeters meters = metrics.version(saved.model(), saved.version());
      v = new ServedVersion(saved.model(), saved.version(), saved.digest(), model, meters, closer);
      before = catalog.serving(saved.model());
      replaced =
          hold ? catalog.addCandidate(v, policy.mode() == RolloutMode.SHADOW) : catalog.add(v);
    }
    return new Swap(v, before, replaced, System.nanoTime() - started, Instant.now());
  }

  /** Metrics, status events and logs of a swap, on the context, once the version serves. */
  private ServedVersion announce(ModelSaved saved, Swap swap) {
    ServedVersion v = swap.added();
    long loadMillis = swap.loadNanos() / 1_000_000;
    metrics.loaded(saved.model(), Duration.ofNanos(swap.loadNanos()));
    failures.remove(key(saved.model(), saved.version()));
    reports.publish(EventTypes.LOADED, v, loadMillis, null, null, swap.at());
    if (swap.replaced() != null) {
      unloaded(swap.replaced(), "replaced by digest " + saved.digest());
    }
    if (catalog.serving(saved.model()) == v && swap.before() != v) {
      metrics.swapped(saved.model());
      Duration sinceSave = Duration.between(saved.savedAt(), swap.at());
      metrics.servedAfterSave(saved.model(), sinceSave);
      long saveToServe = sinceSave.toMillis();
      reports.publish(EventTypes.ACTIVATED, v, loadMillis, saveToServe, null, swap.at());
      LOG.info(
          "Serving {} version {} ({}): loaded in {} ms, {} ms after the save",
          saved.model(),
          saved.version(),
          saved.digest(),
          loadMillis,
          saveToServe);
    } else {
      ServedVersion serving = catalog.serving(saved.model());
      LOG.info(
          "Loaded {} version {} ({}) in {} ms; version {} keeps serving",
          saved.model(),
          saved.version(),
          saved.digest(),
          loadMillis,
          serving == null ? "none" : serving.version());
    }
    trim(saved.model());
    return v;
  }

  /** Unloads the oldest versions beyond the configured number to keep. */
  void trim(String model) {
    for (ServedVersion old : catalog.trim(model, config.keepVersions())) {
      unloaded(old, "more than " + config.keepVersions() + " versions loaded");
    }
  }

  private void failed(ModelSaved saved, String reason) {
    failures.put(key(saved.model(), saved.version()), reason);
    reports.loadFailed(saved, reason);
  }

  private Future<?> unloadDeleted(ModelDeleted deleted) {
    rollouts.deleted(deleted.model(), deleted.version());
    ServedVersion removed = catalog.remove(deleted.model(), deleted.version());
    if (removed == null) {
      return Future.succeededFuture();
    }
    unloaded(removed, "deleted");
    ServedVersion now = catalog.serving(deleted.model());
    if (now == null) {
      return loadNewest(deleted.model());
    }
    activated(now, "version " + deleted.version() + " was deleted");
    return Future.succeededFuture();
  }

  void unloaded(ServedVersion v, String reason) {
    reports.unloaded(v, reason);
  }

  /** A version started serving without a load (pin, unpin, fallback). */
  void activated(ServedVersion v, String why) {
    reports.activated(v, why);
  }

  /** Runs {@code step} after every step queued before for the same model. */
  <T> Future<T> serially(String model, Supplier<Future<T>> step) {
    return turns.serially(model, step);
  }

  /** Runs {@code action} on the deployer's context. */
  <T> Future<T> onContext(Supplier<Future<T>> action) {
    return turns.onContext(action);
  }

  NavigableMap<Long, ModelSaved> known(String model) {
    return known.getOrDefault(model, new TreeMap<>());
  }

  Map<String, NavigableMap<Long, ModelSaved>> known() {
    return known;
  }

  String failure(String model, long version) {
    return failures.get(key(model, version));
  }

  Catalog catalog() {
    return catalog;
  }

  /** The most bytes of input one request, or one stacked run, may hold. */
  Config config() {
    return config;
  }

  long maxTensorBytes() {
    return config.maxTensorBytes();
  }

  Pins pins() {
    return pins;
  }

  Rollouts rollouts() {
    return rollouts;
  }

  /** Notes why a version does not serve, for the repository index. */
  void noteFailure(String model, long version, String reason) {
    failures.put(key(model, version), reason);
  }

  String replica() {
    return config.replica();
  }

  private static String key(String model, long version) {
    return model + "/" + version;
  }
}
