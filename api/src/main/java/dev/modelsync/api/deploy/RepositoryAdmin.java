package dev.modelsync.api.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.CatalogException;
import dev.modelsync.api.catalog.CatalogException.Kind;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelPinned;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Operator actions: pin a version, roll back, unpin (recorded on Kafka and applied by every
 * replica), and the KServe repository extension (index, load, unload: this replica only). Each runs
 * in the deployer's per-model queue, so it never races a load.
 */
public final class RepositoryAdmin {
  /** One row of {@code POST /v2/repository/index}. */
  public record IndexEntry(String name, String version, String state, String reason) {}

  /** Where pins are recorded for every replica: the events topic. */
  public interface PinLog {
    /** Completes once the pin is stored (acknowledged by Kafka). */
    Future<Void> record(ModelPinned pin);
  }

  private static final TypeReference<java.util.Map<String, Object>> MEASURES_AS_MAP =
      new TypeReference<>() {};

  private final Deployer deployer;
  private final Catalog catalog;
  private final Pins pins;
  private final PinLog log;

  public RepositoryAdmin(Deployer deployer, PinLog log) {
    this.deployer = deployer;
    this.catalog = deployer.catalog();
    this.pins = deployer.pins();
    this.log = log;
  }

  /** Serves {@code version} (loading it first if needed) on every replica until unpinned. */
  public Future<Long> pin(String model, long version) {
    return deployer.onContext(
        () ->
            deployer.serially(
                model,
                () -> {
                  if (!pins.knows(model, version)) {
                    return Future.failedFuture(
                        new CatalogException(Kind.UNKNOWN, model + " has no version " + version));
                  }
                  if (deployer.catalog().slot(model).shadowed(version)) {
                    // pinned, it would serve the unnamed requests while refusing the named ones
                    return Future.failedFuture(
                        new CatalogException(
                            Kind.CONFLICT,
                            "version "
                                + version
                                + " of "
                                + model
                                + " is a shadow candidate: promote or reject it first"));
                  }
                  return recordThen(model, version, () -> pins.pin(model, version, "pinned"));
                }));
  }

  /** Pins, on every replica, the newest version older than the one serving here; returns it. */
  public Future<Long> rollback(String model) {
    return deployer.onContext(
        () ->
            deployer.serially(
                model,
                () -> {
                  ServedVersion serving = catalog.serving(model);
                  if (serving == null) {
                    return Future.failedFuture(unknown(model));
                  }
                  TreeSet<Long> versions = new TreeSet<>(deployer.known(model).keySet());
                  versions.addAll(catalog.slot(model).versions().keySet());
                  Long previous = versions.lower(serving.version());
                  if (previous == null) {
                    return Future.failedFuture(
                        new CatalogException(
                            Kind.CONFLICT,
                            model + " has no version older than " + serving.version()));
                  }
                  String why = "rolled back from " + serving.version();
                  return recordThen(model, previous, () -> pins.pin(model, previous, why));
                }));
  }

  /** Serves the newest loaded version again on every replica; returns it. */
  public Future<Long> unpin(String model) {
    return deployer.onContext(
        () ->
            deployer.serially(
                model,
                () -> {
                  if (catalog.serving(model) == null) {
                    return Future.failedFuture(unknown(model));
                  }
                  return recordThen(model, 0, () -> pins.unpin(model, "unpinned"));
                }));
  }

  /**
   * Records the pin on the events topic, then applies it here: nothing changes on any replica when
   * Kafka does not take it, and the other replicas apply it as they read it.
   */
  private Future<Long> recordThen(String model, long version, Supplier<Future<Long>> apply) {
    return log.record(new ModelPinned(model, version, Instant.now(), deployer.replica()))
        .recover(
            e ->
                Future.failedFuture(
                    new CatalogException(
                        Kind.CONFLICT,
                        "the pin of "
                            + model
                            + " could not be recorded on Kafka, nothing changed: "
                            + e.getMessage())))
        .compose(x -> apply.get());
  }

  /**
   * Promotes the candidate of the model's rollout on every replica (recorded on the events topic as
   * {@code model.promoted}); returns its version.
   */
  public Future<Long> promote(String model) {
    return decide(model, EventTypes.PROMOTED);
  }

  /**
   * Rolls the candidate of the model's rollout back on every replica ({@code model.rolled_back});
   * the version served meanwhile keeps serving. Returns the candidate's version.
   */
  public Future<Long> rollBackCandidate(String model) {
    return decide(model, EventTypes.ROLLED_BACK);
  }

  private Future<Long> decide(String model, String type) {
    return deployer.onContext(
        () -> deployer.serially(model, () -> deployer.rollouts().decide(model, type)));
  }

  /** The model's rollout under way on this replica, as JSON; null when there is none. */
  public Future<JsonObject> rollout(String model) {
    return deployer.onContext(
        () -> {
          Rollouts.View view = deployer.rollouts().view(model);
          if (view == null) {
            return Future.succeededFuture(null);
          }
          return Future.succeededFuture(
              new JsonObject()
                  .put("name", view.model())
                  .put("candidate", Long.toString(view.candidate()))
                  .put("baseline", Long.toString(view.baseline()))
                  .put("policy", view.policy())
                  .put("share", view.share())
                  .put(
                      "measures",
                      view.measures() == null
                          ? null
                          : new JsonObject(
                              Json.newMapper().convertValue(view.measures(), MEASURES_AS_MAP))));
        });
  }

  /** Loads the newest version of a model that is not loaded (repository extension). */
  public Future<Void> load(String model) {
    return deployer.onContext(
        () ->
            deployer.serially(
                model,
                () -> {
                  if (catalog.serving(model) != null) {
                    return Future.succeededFuture();
                  }
                  var known = deployer.known(model);
                  if (known.isEmpty()) {
                    return Future.failedFuture(unknown(model));
                  }
                  return deployer
                      .loadNewest(model)
                      .transform(
                          ar -> {
                            if (catalog.serving(model) == null) {
                              long v = known.lastKey();
                              return Future.failedFuture(
                                  new CatalogException(
                                      Kind.LOAD_FAILED,
                                      model + " failed to load: " + deployer.failure(model, v)));
                            }
                            return Future.succeededFuture();
                          });
                }));
  }

  /** Unloads every version of a model until it is loaded again or a new version is saved. */
  public Future<Void> unload(String model) {
    return deployer.onContext(
        () ->
            deployer.serially(
                model,
                () -> {
                  var versions = catalog.slot(model).versions();
                  if (versions.isEmpty() && deployer.known(model).isEmpty()) {
                    return Future.failedFuture(unknown(model));
                  }
                  catalog.unpin(model, null);
                  for (Long v : List.copyOf(versions.keySet())) {
                    ServedVersion removed = catalog.remove(model, v);
                    if (removed != null) {
                      deployer.unloaded(removed, "unloaded through the repository API");
                    }
                  }
                  return Future.succeededFuture();
                }));
  }

  public Future<List<IndexEntry>> index() {
    return deployer.onContext(
        () -> {
          TreeSet<String> models = new TreeSet<>(deployer.known().keySet());
          models.addAll(catalog.models());
          List<IndexEntry> out = new ArrayList<>();
          for (String model : models) {
            TreeSet<Long> versions = new TreeSet<>(deployer.known(model).keySet());
            versions.addAll(catalog.slot(model).versions().keySet());
            for (long v : versions) {
              boolean ready = catalog.version(model, v) != null;
              String failure = deployer.failure(model, v);
              out.add(
                  new IndexEntry(
                      model,
                      Long.toString(v),
                      ready ? "READY" : "UNAVAILABLE",
                      ready ? "" : failure != null ? failure : "not loaded"));
            }
          }
          return Future.succeededFuture(out);
        });
  }

  private static CatalogException unknown(String model) {
    return new CatalogException(Kind.UNKNOWN, "unknown model '" + model + "'");
  }
}
