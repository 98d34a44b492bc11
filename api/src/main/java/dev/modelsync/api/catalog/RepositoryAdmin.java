package dev.modelsync.api.catalog;

import dev.modelsync.api.catalog.CatalogException.Kind;
import dev.modelsync.events.ModelSaved;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Operator actions: pin a version, roll back, unpin, and the KServe repository extension (index,
 * load, unload). Each runs in the deployer's per-model queue, so it never races a load.
 */
public final class RepositoryAdmin {
  /** One row of {@code POST /v2/repository/index}. */
  public record IndexEntry(String name, String version, String state, String reason) {}

  private final Deployer deployer;
  private final Catalog catalog;

  public RepositoryAdmin(Deployer deployer) {
    this.deployer = deployer;
    this.catalog = deployer.catalog();
  }

  /** Serves {@code version} (loading it first if needed) until unpinned; returns it. */
  public Future<Long> pin(String model, long version) {
    return deployer.onContext(
        () -> deployer.serially(model, () -> pinNow(model, version, "pinned")));
  }

  /** Pins the newest version older than the one serving now; returns it. */
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
                  return pinNow(model, previous, "rolled back from " + serving.version());
                }));
  }

  /** Serves the newest loaded version again; returns it. */
  public Future<Long> unpin(String model) {
    return deployer.onContext(
        () ->
            deployer.serially(
                model,
                () -> {
                  ServedVersion before = catalog.serving(model);
                  if (before == null) {
                    return Future.failedFuture(unknown(model));
                  }
                  catalog.unpin(model, null);
                  ServedVersion after = catalog.serving(model);
                  if (after != before) {
                    deployer.activated(after, "unpinned");
                  }
                  deployer.trim(model);
                  return Future.succeededFuture(after.version());
                }));
  }

  private Future<Long> pinNow(String model, long version, String why) {
    ServedVersion before = catalog.serving(model);
    ServedVersion loaded = catalog.version(model, version);
    ModelSaved saved = deployer.known(model).get(version);
    if (loaded == null && saved == null) {
      return Future.failedFuture(
          new CatalogException(Kind.UNKNOWN, model + " has no version " + version));
    }
    Long previousPin = catalog.pin(model, version);
    if (loaded != null) {
      if (before != loaded) {
        deployer.activated(loaded, why);
      }
      return Future.succeededFuture(version);
    }
    return deployer
        .load(saved, true)
        .transform(
            ar -> {
              if (ar.failed()) {
                catalog.unpin(model, previousPin);
                return Future.failedFuture(
                    new CatalogException(
                        Kind.LOAD_FAILED,
                        model
                            + " version "
                            + version
                            + " failed to load: "
                            + ar.cause().getMessage()));
              }
              return Future.succeededFuture(version);
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
