package dev.modelsync.agent.sync;

import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.agent.store.DiskWorker;
import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Ledger.Entry;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what Kafka acknowledged: the ledger entry turns published (or deleted), the state file is
 * rewritten in the background and the metrics count it. Reports arrive on a Kafka client thread and
 * are handed to the sync thread, which owns the ledger and the trackers.
 */
final class Acknowledger implements Publisher.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Acknowledger.class);

  private final Ledger ledger;
  private final SyncMetrics metrics;
  private final DiskWorker disk;
  private final Consumer<Runnable> onSyncThread;
  private final Function<String, Tracker> trackerOf;

  Acknowledger(
      Ledger ledger,
      SyncMetrics metrics,
      DiskWorker disk,
      Consumer<Runnable> onSyncThread,
      Function<String, Tracker> trackerOf) {
    this.ledger = ledger;
    this.metrics = metrics;
    this.disk = disk;
    this.onSyncThread = onSyncThread;
    this.trackerOf = trackerOf;
  }

  @Override
  public void acked(ModelEvent event, RecordMetadata metadata, long latencyNanos) {
    onSyncThread.accept(() -> record(event, metadata, latencyNanos));
  }

  private void record(ModelEvent event, RecordMetadata metadata, long latencyNanos) {
    String type;
    String digest;
    if (event instanceof ModelSaved saved) {
      ledger.saveAcked(saved.model(), saved.version());
      type = "saved";
      digest = saved.digest();
    } else {
      ledger.deleteAcked(event.model(), event.version());
      type = "deleted";
      digest = ((ModelDeleted) event).digest();
    }
    metrics.published(type, latencyNanos);
    LOG.info(
        "Published model.{} model={} version={} digest={} offset={} in {} ms",
        type,
        event.model(),
        event.version(),
        digest,
        metadata.offset(),
        latencyNanos / 1_000_000);
    String source = ledger.get(event.model(), event.version()).map(Entry::source).orElse("");
    Tracker t = trackerOf.apply(source);
    if (t != null && t.state() == Tracker.State.PENDING) {
      t.enter(Tracker.State.PUBLISHED, " as version " + event.version());
    }
    try {
      disk.writeState(ledger.acknowledgedState());
    } catch (IOException e) {
      LOG.error("Cannot encode the agent state: {}", e.toString());
      metrics.error("state");
    }
  }

  @Override
  public void refused(ModelEvent event, Exception error) {
    metrics.error("refused");
    LOG.error(
        "Kafka refused {} model={} version={}: {}; holding it and the model's later events,"
            + " offering it again with backoff",
        event.type(),
        event.model(),
        event.version(),
        error.toString());
  }

  @Override
  public void failed(ModelEvent event, Exception error) {
    metrics.error("publish");
    LOG.warn(
        "Kafka did not take {} model={} version={} yet: {}",
        event.type(),
        event.model(),
        event.version(),
        error.toString());
  }
}
