package dev.modelsync.agent;

import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.agent.store.Archiver;
import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Ledger.Entry;
import dev.modelsync.agent.store.Snapshotter;
import dev.modelsync.agent.store.StoreHealth;
import dev.modelsync.agent.watch.Completion;
import dev.modelsync.agent.watch.Completion.Decision;
import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.Observation;
import dev.modelsync.agent.watch.Observer;
import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns file changes into published versions. Everything here runs on one thread, the sync
 * executor, which owns the trackers and the ledger; other threads only hand it work.
 */
final class Synchronizer implements Publisher.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Synchronizer.class);
  private static final long MAX_RETRY_MS = 30_000;

  /** What the agent knows of one unit, between observations. */
  private static final class Tracker {
    final SaveUnit unit;
    String fingerprint;
    long unchangedSince;

    /** The fingerprint already dealt with (published, skipped or invalid): nothing to do. */
    String settled;

    boolean recheckScheduled;
    String state = "waiting";

    /** Snapshots that failed in a row (full or unwritable store): the retry backs off. */
    int failures;

    Tracker(SaveUnit unit) {
      this.unit = unit;
    }
  }

  private final Layout layout;
  private final Observer observer;
  private final Archiver archiver;
  private final ChangeRouter router;
  private final Ledger ledger;
  private final long quietMs;
  private final ScheduledExecutorService executor;
  private final AgentMetrics metrics;
  private final StoreHealth storeHealth;
  private Publisher publisher;
  private final Map<String, Tracker> trackers = new TreeMap<>();
  private final Set<String> warned = new HashSet<>();
  private volatile Map<String, Object> view = Map.of();
  private volatile Map<String, String> liveDigests = Map.of();
  private Consumer<ModelSaved> onQueued = saved -> {};

  Synchronizer(
      Layout layout,
      Snapshotter snapshotter,
      Ledger ledger,
      long quietMs,
      ScheduledExecutorService executor,
      AgentMetrics metrics,
      StoreHealth storeHealth) {
    this.layout = layout;
    this.observer = new Observer(layout::ignoreLink);
    this.archiver = new Archiver(snapshotter, observer);
    this.router = new ChangeRouter(layout, this::evaluate, this::gone, this::knownSources);
    this.ledger = ledger;
    this.quietMs = quietMs;
    this.executor = executor;
    this.metrics = metrics;
    this.storeHealth = storeHealth;
  }

  void publishWith(Publisher publisher) {
    this.publisher = publisher;
  }

  /** Also hands every queued {@code model.saved} to {@code listener} (on the sync thread). */
  void onQueued(Consumer<ModelSaved> listener) {
    this.onQueued = listener;
  }

  /**
   * The digest of a version that is complete in the store and saved, not deleted (its {@code
   * model.saved} queued or published); safe from any thread.
   */
  Optional<String> liveDigest(String model, long version) {
    return Optional.ofNullable(liveDigests.get(model + "/" + version));
  }

  /** From any thread: a path under the models directory changed. */
  void changed(Path path) {
    run(() -> router.onChange(path));
  }

  /** From any thread: look at everything again. */
  void rescan() {
    run(router::scanAll);
  }

  /** What it sees and what it published, for /models; safe from any thread. */
  Map<String, Object> view() {
    return view;
  }

  private void run(Runnable task) {
    if (!executor.isShutdown()) {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.error("Sync task failed", e);
              metrics.error("sync");
            }
            refreshView();
          });
    }
  }

  private Set<String> knownSources() {
    Set<String> known = new HashSet<>(trackers.keySet());
    ledger.all().stream().filter(Entry::live).forEach(e -> known.add(e.source()));
    return known;
  }

  private void evaluate(SaveUnit unit) {
    if (!Files.exists(unit.source(), LinkOption.NOFOLLOW_LINKS)) {
      gone(unit.relative());
      return;
    }
    Tracker t = trackers.computeIfAbsent(unit.relative(), r -> new Tracker(unit));
    if (!unit.singleFile() && alreadyPublished(unit, t)) {
      return;
    }
    Observation obs;
    try {
      obs = observer.observe(unit);
    } catch (NoSuchFileException e) {
      gone(unit.relative());
      return;
    } catch (IOException e) {
      LOG.warn("Cannot read {}: {}", unit.source(), e.toString());
      return;
    }
    String fingerprint = obs.fingerprint();
    if (fingerprint.equals(t.settled)) {
      return;
    }
    long now = System.currentTimeMillis();
    if (!fingerprint.equals(t.fingerprint)) {
      t.fingerprint = fingerprint;
      t.unchangedSince = now;
    }
    if (unit.singleFile() && t.settled == null) {
      List<Entry> published = ledger.liveFrom(unit.relative());
      if (!published.isEmpty()
          && fingerprint.equals(published.get(published.size() - 1).fingerprint())) {
        settle(
            t,
            fingerprint,
            "published as version " + published.get(published.size() - 1).version());
        return;
      }
    }
    Decision decision = Completion.decide(obs, now - t.unchangedSince, quietMs);
    switch (decision.kind()) {
      case WAIT -> {
        t.state = "waiting: " + decision.reason();
        scheduleRecheck(t, decision.recheckInMs());
      }
      case INVALID -> {
        settle(t, fingerprint, "invalid: " + decision.reason());
        LOG.warn("Not publishing {}: {}", unit, decision.reason());
        metrics.error("invalid");
      }
      case COMPLETE -> snapshot(t, obs, decision.reason());
    }
  }

  /** A published version directory never changes; a later change is reported once. */
  private boolean alreadyPublished(SaveUnit unit, Tracker t) {
    Optional<Entry> entry = ledger.get(unit.model(), unit.version()).filter(Entry::live);
    if (entry.isEmpty()) {
      return false;
    }
    if (!entry.get().source().equals(unit.relative())) {
      if (warned.add(unit.relative())) {
        LOG.error(
            "Not publishing {}: model {} version {} was already published from {}",
            unit,
            unit.model(),
            unit.version(),
            entry.get().source());
        metrics.error("store");
      }
      t.state = "conflict: version taken by " + entry.get().source();
      return true;
    }
    t.state =
        (entry.get().status() == Ledger.Status.PUBLISHED ? "published" : "pending")
            + " as version "
            + unit.version();
    return true;
  }

  private void scheduleRecheck(Tracker t, long delayMs) {
    if (t.recheckScheduled) {
      return;
    }
    t.recheckScheduled = true;
    executor.schedule(
        () ->
            run(
                () -> {
                  t.recheckScheduled = false;
                  if (trackers.get(t.unit.relative()) == t) {
                    evaluate(t.unit);
                  }
                }),
        delayMs,
        TimeUnit.MILLISECONDS);
  }

  private void settle(Tracker t, String fingerprint, String state) {
    t.settled = fingerprint;
    t.state = state;
  }

  private void snapshot(Tracker t, Observation obs, String reason) {
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
      settle(t, obs.fingerprint(), "pending as version " + event.version());
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
    } else if (outcome instanceof Archiver.Changed changed) {
      LOG.debug("{} changed while it was copied; waiting again", unit);
      t.fingerprint = changed.fingerprint();
      t.unchangedSince = System.currentTimeMillis();
      scheduleRecheck(t, quietMs);
    } else if (outcome instanceof Archiver.Duplicate duplicate) {
      settle(t, obs.fingerprint(), "same as version " + duplicate.ofVersion());
      metrics.duplicateSkipped();
      LOG.info(
          "Skipping {}: model {} digest {} equals published version {}",
          unit,
          unit.model(),
          duplicate.digest(),
          duplicate.ofVersion());
    } else if (outcome instanceof Archiver.Rejected rejected) {
      settle(t, obs.fingerprint(), "rejected: " + rejected.reason());
      LOG.error("Not publishing {}: {}", unit, rejected.reason());
      metrics.error("store");
    } else if (outcome instanceof Archiver.Retry retry) {
      // Nothing half-written stays behind (the copy is removed); retry with backoff, and say so
      // on /health until it works.
      long delay = Math.min(MAX_RETRY_MS, quietMs << Math.min(t.failures, 16));
      t.failures++;
      t.state = "retrying in " + delay + " ms: " + retry.reason();
      storeHealth.failing(unit.relative(), retry.reason());
      LOG.warn(
          "Cannot snapshot {}: {}; retry {} in {} ms", unit, retry.reason(), t.failures, delay);
      metrics.error("snapshot");
      t.fingerprint = null;
      scheduleRecheck(t, delay);
    }
  }

  /**
   * A unit vanished. Its live versions are deleted after a quiet period, so a file replaced by
   * delete-and-create does not flap.
   */
  private void gone(String relative) {
    storeHealth.cleared(relative);
    Tracker removed = trackers.remove(relative);
    if (removed != null && ledger.liveFrom(relative).isEmpty()) {
      return;
    }
    executor.schedule(() -> run(() -> confirmGone(relative)), quietMs, TimeUnit.MILLISECONDS);
  }

  private void confirmGone(String relative) {
    if (Files.exists(layout.modelsDir().resolve(relative), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    for (Entry e : ledger.liveFrom(relative)) {
      ledger.deleteQueued(e.model(), e.version());
      publisher.submit(new ModelDeleted(e.model(), e.version(), e.digest(), Instant.now()));
    }
  }

  @Override
  public void acked(ModelEvent event, RecordMetadata metadata, long latencyNanos) {
    run(
        () -> {
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
          Tracker t = trackers.get(sourceOf(event));
          if (t != null && t.state.startsWith("pending")) {
            t.state = "published as version " + event.version();
          }
          try {
            ledger.persist();
          } catch (IOException e) {
            LOG.error("Cannot write the agent state: {}", e.toString());
            metrics.error("state");
          }
        });
  }

  private String sourceOf(ModelEvent event) {
    return ledger.get(event.model(), event.version()).map(Entry::source).orElse("");
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

  private void refreshView() {
    Map<String, Object> seen = new LinkedHashMap<>();
    trackers.forEach((relative, t) -> seen.put(relative, t.state));
    Map<String, String> live = new HashMap<>();
    ledger.all().stream()
        .filter(Entry::live)
        .forEach(e -> live.put(e.model() + "/" + e.version(), e.digest()));
    liveDigests = Map.copyOf(live);
    view =
        Map.of(
            "seen", seen,
            "versions", ledger.all(),
            "pending", ledger.pendingCount());
  }
}
