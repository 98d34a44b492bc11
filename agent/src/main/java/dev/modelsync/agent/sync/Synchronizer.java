package dev.modelsync.agent.sync;

import dev.modelsync.agent.publish.Outbox;
import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.agent.store.Archiver;
import dev.modelsync.agent.store.DiskWorker;
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
import dev.modelsync.agent.watch.Signals;
import dev.modelsync.agent.watch.SourceTree;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelSaved;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns file changes into published versions. Everything here runs on one thread, the sync
 * executor, which owns the trackers and the ledger; other threads only hand it work.
 */
public final class Synchronizer {
  private static final Logger LOG = LoggerFactory.getLogger(Synchronizer.class);

  private final Layout layout;
  private final Observer observer;
  private final Committer committer;
  private final ChangeRouter router;
  private final Ledger ledger;
  private final long quietMs;
  private final ScheduledExecutorService executor;
  private final SyncMetrics metrics;
  private final StoreHealth storeHealth;
  private final Acknowledger acknowledger;
  private Outbox publisher;
  private final Map<String, Tracker> trackers = new TreeMap<>();
  private final Set<String> warned = new HashSet<>();
  private volatile SyncView view = SyncView.EMPTY;

  /** Milliseconds for the quiet period; the wall clock but in tests. */
  private final LongSupplier clock;

  public Synchronizer(
      Layout layout,
      Snapshotter snapshotter,
      Ledger ledger,
      long quietMs,
      ScheduledExecutorService executor,
      SyncMetrics metrics,
      StoreHealth storeHealth,
      DiskWorker disk,
      LongSupplier clock,
      Signals signals) {
    this.clock = clock;
    this.layout = layout;
    this.observer = new Observer(layout.modelsDir(), layout::ignoreLink, signals);
    this.router = new ChangeRouter(layout, this::evaluate, this::gone, this::knownSources);
    this.ledger = ledger;
    this.quietMs = quietMs;
    this.executor = executor;
    this.metrics = metrics;
    this.storeHealth = storeHealth;
    this.committer =
        new Committer(
            new Archiver(snapshotter, observer),
            ledger,
            metrics,
            storeHealth,
            quietMs,
            this::scheduleRecheck,
            disk,
            clock);
    this.acknowledger =
        new Acknowledger(ledger, metrics, disk, this::run, relative -> trackers.get(relative));
  }

  /** Where the publisher reports acknowledgements and failures. */
  public Publisher.Listener publishListener() {
    return acknowledger;
  }

  public void publishWith(Outbox publisher) {
    this.publisher = publisher;
    committer.publishWith(publisher);
  }

  /** Also hands every queued {@code model.saved} to {@code listener} (on the sync thread). */
  public void onQueued(Consumer<ModelSaved> listener) {
    committer.onQueued(listener);
  }

  /**
   * The digest of a version that is complete in the store and saved, not deleted (its {@code
   * model.saved} queued or published); safe from any thread.
   */
  public Optional<String> liveDigest(String model, long version) {
    return view.liveDigest(model, version);
  }

  /** From any thread: a path under the models directory changed. */
  public void changed(Path path) {
    run(() -> router.onChange(path));
  }

  /** From any thread: look at everything again. */
  public void rescan() {
    run(router::scanAll);
  }

  /** What it sees and what it published, for /models; safe from any thread. */
  public Map<String, Object> view() {
    return view.models();
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
            view = view.next(trackers, ledger);
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
    } catch (SourceTree.LinkException e) {
      // a link took the place of the unit or a directory on its way: never read through it
      layout.ignoreLink(e.path());
      return;
    } catch (IOException e) {
      LOG.warn("Cannot read {}: {}", unit.source(), e.toString());
      return;
    }
    String fingerprint = obs.fingerprint();
    if (fingerprint.equals(t.settled)) {
      return;
    }
    long now = clock.getAsLong();
    if (!fingerprint.equals(t.fingerprint)) {
      t.fingerprint = fingerprint;
      t.unchangedSince = now;
    }
    if (unit.singleFile() && t.settled == null) {
      List<Entry> published = ledger.liveFrom(unit.relative());
      if (!published.isEmpty()
          && fingerprint.equals(published.get(published.size() - 1).fingerprint())) {
        t.settle(
            fingerprint,
            Tracker.State.PUBLISHED,
            " as version " + published.get(published.size() - 1).version());
        return;
      }
    }
    Decision decision = Completion.decide(obs, now - t.unchangedSince, quietMs);
    switch (decision.kind()) {
      case WAIT -> {
        t.enter(Tracker.State.WAITING, ": " + decision.reason());
        scheduleRecheck(t, decision.recheckInMs());
      }
      case INVALID -> {
        t.settle(fingerprint, Tracker.State.INVALID, ": " + decision.reason());
        LOG.warn("Not publishing {}: {}", unit, decision.reason());
        metrics.error("invalid");
      }
      case COMPLETE -> {
        metrics.completed(decision.rule().label());
        committer.commit(t, obs, decision.reason());
      }
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
      t.enter(Tracker.State.CONFLICT, ": version taken by " + entry.get().source());
      return true;
    }
    t.enter(
        entry.get().status() == Ledger.Status.PUBLISHED
            ? Tracker.State.PUBLISHED
            : Tracker.State.PENDING,
        " as version " + unit.version());
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
}
