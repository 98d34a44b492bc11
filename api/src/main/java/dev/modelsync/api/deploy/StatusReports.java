package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.RolloutMeasures;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells what happened to a version: a status event, a log line and its metrics. */
final class StatusReports {
  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  private final StatusSink status;
  private final ApiMetrics metrics;
  private final String replica;

  StatusReports(StatusSink status, ApiMetrics metrics, String replica) {
    this.status = status;
    this.metrics = metrics;
    this.replica = replica;
  }

  void loadFailed(ModelSaved saved, String reason) {
    metrics.loadFailed(saved.model());
    LOG.warn(
        "Load of {} version {} ({}) failed, serving is unchanged: {}",
        saved.model(),
        saved.version(),
        saved.digest(),
        reason);
    status.publish(
        new ModelStatus(
            EventTypes.LOAD_FAILED,
            saved.model(),
            saved.version(),
            saved.digest(),
            replica,
            null,
            null,
            reason,
            Instant.now(),
            List.of(),
            null));
  }

  void rejected(ModelSaved saved, GateRejected rejection) {
    metrics.gateRejected(saved.model());
    LOG.warn(
        "Refused {} version {} ({}), serving is unchanged: {}",
        saved.model(),
        saved.version(),
        saved.digest(),
        rejection.getMessage());
    status.publish(
        new ModelStatus(
            EventTypes.REJECTED,
            saved.model(),
            saved.version(),
            saved.digest(),
            replica,
            null,
            null,
            rejection.getMessage(),
            Instant.now(),
            rejection.mismatches(),
            null));
  }

  /** A rollout's candidate was rolled back: {@code model.rejected} with this replica's measures. */
  void rolledBack(ServedVersion v, String reason, RolloutMeasures measures) {
    LOG.warn(
        "Refused {} version {} ({}), version {} keeps serving: {}",
        v.model(),
        v.version(),
        v.digest(),
        measures.baseline(),
        reason);
    status.publish(
        new ModelStatus(
            EventTypes.REJECTED,
            v.model(),
            v.version(),
            v.digest(),
            replica,
            null,
            null,
            reason,
            Instant.now(),
            null,
            measures));
  }

  /** What this replica measured of a rollout so far (no log line: it is periodic). */
  void progress(ServedVersion v, RolloutMeasures measures) {
    status.publish(
        new ModelStatus(
            EventTypes.ROLLOUT_PROGRESS,
            v.model(),
            v.version(),
            v.digest(),
            replica,
            null,
            null,
            null,
            Instant.now(),
            null,
            measures));
  }

  void unloaded(ServedVersion v, String reason) {
    metrics.forget(v.meters());
    LOG.info("Unloaded {} version {} ({}): {}", v.model(), v.version(), v.digest(), reason);
    publish(EventTypes.UNLOADED, v, null, null, reason, Instant.now());
  }

  void activated(ServedVersion v, String why) {
    metrics.swapped(v.model());
    LOG.info("Serving {} version {} ({}): {}", v.model(), v.version(), v.digest(), why);
    publish(EventTypes.ACTIVATED, v, null, null, why, Instant.now());
  }

  void publish(
      String type, ServedVersion v, Long loadMs, Long saveToServeMs, String why, Instant at) {
    status.publish(
        new ModelStatus(
            type,
            v.model(),
            v.version(),
            v.digest(),
            replica,
            loadMs,
            saveToServeMs,
            why,
            at,
            List.of(),
            null));
  }
}
