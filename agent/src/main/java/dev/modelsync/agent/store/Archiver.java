package dev.modelsync.agent.store;

import dev.modelsync.agent.store.Ledger.Entry;
import dev.modelsync.agent.store.Snapshotter.Staged;
import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.Observation;
import dev.modelsync.agent.watch.Observer;
import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.agent.watch.SourceTree;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Takes a complete save into the store: copies it, checks the source did not change meanwhile,
 * skips it if it equals the model's latest version, renames it into place and builds its {@code
 * model.saved} event. Blocking; run on the sync thread.
 */
public final class Archiver {
  /** How archiving a save ended. */
  public sealed interface Outcome {}

  /** In the store; publish this event. */
  public record Ready(ModelSaved event) implements Outcome {}

  /** The source changed while it was copied: wait again. */
  public record Changed(String fingerprint) implements Outcome {}

  /** Same digest as the model's latest version: nothing to publish. */
  public record Duplicate(long ofVersion, String digest) implements Outcome {}

  /** Cannot be published as it is; look again only when it changes. */
  public record Rejected(String reason) implements Outcome {}

  /** A transient failure such as a full disk: try again later. */
  public record Retry(String reason) implements Outcome {}

  private final Snapshotter snapshotter;
  private final Observer observer;

  public Archiver(Snapshotter snapshotter, Observer observer) {
    this.snapshotter = snapshotter;
    this.observer = observer;
  }

  public Outcome archive(SaveUnit unit, Observation obs, Ledger ledger, Instant savedAt) {
    long version = unit.singleFile() ? ledger.nextVersion(unit.model()) : unit.version();
    List<String> files = obs.snapshotFiles().stream().map(Observation.FileStat::path).toList();
    Staged staged;
    try {
      staged = stage(unit, files);
    } catch (SourceChangedException e) {
      return changedNow(unit, obs);
    } catch (IOException e) {
      return new Retry("cannot copy: " + e);
    }
    Changed after = changedNow(unit, obs);
    if (!after.fingerprint().equals(obs.fingerprint())) {
      snapshotter.discard(staged);
      return after;
    }
    Optional<Entry> latest = ledger.latestLive(unit.model());
    if (latest.isPresent() && latest.get().digest().equals(staged.digest())) {
      snapshotter.discard(staged);
      return new Duplicate(latest.get().version(), staged.digest());
    }
    Manifest manifest = manifestFor(obs, staged);
    if (manifest.engine() == null) {
      snapshotter.discard(staged);
      return new Rejected("no engine in model.json and no known model file");
    }
    try {
      snapshotter.commit(staged, version, ledger.get(unit.model(), version).isEmpty());
    } catch (StoreConflictException e) {
      return new Rejected(e.getMessage());
    } catch (IOException e) {
      snapshotter.discard(staged);
      return new Retry("cannot move the snapshot into the store: " + e);
    }
    return new Ready(
        new ModelSaved(
            unit.model(),
            version,
            staged.digest(),
            staged.size(),
            manifest.engine(),
            staged.files(),
            unit.model() + "/" + version,
            manifest,
            savedAt,
            null));
  }

  /** Copies a unit's files through a {@link SourceTree}; a unit gone or linked has changed. */
  private Staged stage(SaveUnit unit, List<String> files) throws IOException {
    SourceTree tree;
    try {
      tree = observer.open(unit);
    } catch (IOException e) {
      throw SourceTree.vanishedOrLinked(e)
          ? new SourceChangedException("cannot open " + unit + ": " + e, e)
          : e;
    }
    try (tree) {
      return snapshotter.stage(unit.model(), tree, files);
    }
  }

  /**
   * How the unit looks now, as a {@link Changed} (equal to before when nothing changed). Only
   * names, sizes and times are compared, so model.json is not read again: the event's manifest is
   * the one observed before the copy, and a model.json rewritten since changes its size or time.
   */
  private Changed changedNow(SaveUnit unit, Observation obs) {
    try {
      return new Changed(observer.fingerprint(unit));
    } catch (IOException e) {
      // vanished, unreadable or a link now: the next look decides
      return new Changed(obs.fingerprint() + "?");
    }
  }

  /** Makes a version {@link #archive} made ready durable; see {@link Snapshotter#sync}. */
  public void sync(ModelSaved event) throws IOException {
    snapshotter.sync(event.model(), event.version(), event.files());
  }

  /** The version's model.json with engine and file filled in from the files where missing. */
  static Manifest manifestFor(Observation obs, Staged staged) {
    Manifest m = obs.manifest();
    String file = m != null && m.file() != null ? m.file() : null;
    if (file == null) {
      file =
          staged.files().stream()
              .map(ModelSaved.FileEntry::path)
              .filter(p -> Layout.engineOf(baseName(p)).isPresent())
              .findFirst()
              .orElse(null);
    }
    String engine = m != null ? m.engine() : null;
    if (engine == null && file != null) {
      engine = Layout.engineOf(baseName(file)).orElse(null);
    }
    return m == null
        ? new Manifest(engine, file, null, null, null, null, null, null)
        : new Manifest(
            engine,
            file,
            m.inputs(),
            m.outputs(),
            m.example(),
            m.metadata(),
            m.gate(),
            m.rollout());
  }

  private static String baseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
