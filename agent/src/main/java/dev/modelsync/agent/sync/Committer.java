package dev.modelsync.agent.sync;

import dev.modelsync.agent.publish.Outbox;
import dev.modelsync.agent.store.Archiver;
import dev.modelsync.agent.store.DiskWorker;
import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.StoreHealth;
import dev.modelsync.agent.watch.Observation;
import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.events.ModelSaved;
import java.io.IOException;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a complete save into the store and on to the publisher, and acts on how that went: queued,
 * changed meanwhile, a duplicate, rejected, or to be retried with backoff. On the sync thread.
 */
final class Committer {
  private static final Logger LOG = LoggerFactory.getLogger(Committer.class);
  private static final long MAX_RETRY_MS = 30_000;

  /** Looks at a tracker's unit again after a delay. */
  interface Rechecks {
    void schedule(Tracker t, long delayMs);
  }

  private final Archiver archiver;
  private final Ledger ledger;
  private final SyncMetrics metrics;
  private final StoreHealth storeHealth;
  private final long quietMs;
  private final Rechecks rechecks;
  private final DiskWorker disk;
  private Outbox publisher;
  private Consumer<ModelSaved> onQueued = saved -> {};
  private final LongSupplier clock;

  Committer(
      Archiver archiver,
      Ledger ledger,
      SyncMetrics metrics,
      StoreHealth storeHealth,
      long quietMs,
      Rechecks rechecks,
      DiskWorker disk,
      LongSupplier clock) {
    this.clock = clock;
    this.archiver = archiver;
    this.ledger = ledger;
    this.metrics = metrics;
    this.storeHealth = storeHealth;
    this.quietMs = quietMs;
    this.rechecks = rechecks;
    this.disk = disk;
  }

  void publishWith(Outbox publisher) {
    this.publisher = publisher;
  }

  void onQueued(Consumer<ModelSaved> listener) {
    this.onQueued = listener;
  }

  void commit(Tracker t, Observation obs, String reason) {
    SaveUnit unit = t.unit;
    long started = System.nanoTime();
    metrics.saveSeen(unit.model());
    Archiver.Outcome outcome = archiver.archive(unit, obs, ledger, Instant.now());
    if (!(outcome instanceof Archiver.Retry) && !(outcome instanceof Archiver.Changed)) {
      t.failures = 0;
      storeHealth.cleared(unit.relative());
    }
    if (outcome instanceof Archiver.Ready ready) {
      ModelSaved event = ready.event();
      ledger.saveQueued(
          unit.model(), event.version(), event.digest(), unit.relative(), obs.fingerprint());
      t.settle(obs.fingerprint(), Tracker.State.PENDING, " as version " + event.version());
      LOG.debug(
          "Queued {} as model {} version {} digest {} ({}) after {} us",
          unit,
          unit.model(),
          event.version(),
          event.digest(),
          reason,
          (System.nanoTime() - started) / 1000);
      onQueued.accept(event);
      publisher.submit(event);
      // Kafka's round trip and the disk's overlap. The state file that will list this version is
      // written on the same disk thread after this sync, so it never names a version not on disk.
      disk.run(() -> syncToDisk(unit, event));
    } else if (outcome instanceof Archiver.Changed changed) {
      LOG.debug("{} changed while it was copied; waiting again", unit);
      t.fingerprint = changed.fingerprint();
      t.unchangedSince = clock.getAsLong();
      rechecks.schedule(t, quietMs);
    } else if (outcome instanceof Archiver.Duplicate duplicate) {
      t.settle(obs.fingerprint(), Tracker.State.DUPLICATE, " as version " + duplicate.ofVersion());
      metrics.duplicateSkipped();
      LOG.info(
          "Skipping {}: model {} digest {} equals published version {}",
          unit,
          unit.model(),
          duplicate.digest(),
          duplicate.ofVersion());
    } else if (outcome instanceof Archiver.Rejected rejected) {
      t.settle(obs.fingerprint(), Tracker.State.REJECTED, ": " + rejected.reason());
      LOG.error("Not publishing {}: {}", unit, rejected.reason());
      metrics.error("store");
    } else if (outcome instanceof Archiver.Retry retry) {
      // Nothing half-written stays behind (the copy is removed); retry with backoff, and say so
      // on /health until it works.
      long delay = Math.min(MAX_RETRY_MS, quietMs << Math.min(t.failures, 16));
      t.failures++;
      t.enter(Tracker.State.RETRYING, " in " + delay + " ms: " + retry.reason());
      storeHealth.failing(unit.relative(), retry.reason());
      LOG.warn(
          "Cannot snapshot {}: {}; retry {} in {} ms", unit, retry.reason(), t.failures, delay);
      metrics.error("snapshot");
      t.fingerprint = null;
      rechecks.schedule(t, delay);
    }
  }

  private void syncToDisk(SaveUnit unit, ModelSaved event) {
    try {
      archiver.sync(event);
    } catch (IOException e) {
      LOG.error(
          "Cannot sync model {} version {} to disk in {}: {}",
          event.model(),
          event.version(),
          unit.source(),
          e.toString());
      metrics.error("store");
    }
  }
}
