package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.CatalogException;
import dev.modelsync.api.catalog.CatalogException.Kind;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.events.ModelPinned;
import dev.modelsync.events.ModelSaved;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins as every replica sees them: an admin call on any replica is recorded on the events topic as
 * a {@code model.pinned} and each replica applies it here, a replica rebuilding from the topic
 * included (the newest pin read for a model is applied once its versions are loaded). Runs on the
 * deployer's context, inside the model's queue.
 */
final class Pins {
  private static final Logger LOG = LoggerFactory.getLogger(Pins.class);

  private final Deployer deployer;
  private final Catalog catalog;
  private final Map<String, ModelPinned> latest = new HashMap<>();

  Pins(Deployer deployer, Catalog catalog) {
    this.deployer = deployer;
    this.catalog = catalog;
  }

  void remember(ModelPinned pin) {
    latest.put(pin.model(), pin);
  }

  /** Applies the newest pin read for {@code model}, if any (after a rebuild loaded it). */
  Future<?> applyRemembered(String model) {
    ModelPinned pin = latest.get(model);
    return pin == null ? Future.succeededFuture() : apply(pin);
  }

  /** Applies a pin another replica recorded; a version this replica cannot serve is logged. */
  Future<?> apply(ModelPinned pin) {
    String by = " by an admin on " + pin.replica();
    Future<Long> done =
        pin.unpinned()
            ? unpin(pin.model(), "unpinned" + by)
            : pin(pin.model(), pin.version(), "pinned" + by);
    return done.recover(
        e -> {
          LOG.warn(
              "Could not apply the pin of {} to version {}: {}",
              pin.model(),
              pin.version(),
              e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Whether this replica knows {@code version} of {@code model} (loaded or on the topic). */
  boolean knows(String model, long version) {
    return catalog.version(model, version) != null || deployer.known(model).containsKey(version);
  }

  /** Serves {@code version} (loading it first if needed) until unpinned; returns it. */
  Future<Long> pin(String model, long version, String why) {
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

  /** Serves the newest loaded version again; returns it. */
  Future<Long> unpin(String model, String why) {
    ServedVersion before = catalog.serving(model);
    if (before == null) {
      return Future.failedFuture(
          new CatalogException(Kind.UNKNOWN, "unknown model '" + model + "'"));
    }
    catalog.unpin(model, null);
    ServedVersion after = catalog.serving(model);
    if (after != before) {
      deployer.activated(after, why);
    }
    deployer.trim(model);
    return Future.succeededFuture(after.version());
  }
}
