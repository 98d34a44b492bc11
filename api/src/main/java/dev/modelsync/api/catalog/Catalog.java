package dev.modelsync.api.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loaded versions of every model and which one serves. Reads (every request) are lock-free over
 * immutable snapshots; changes are serialised and publish a new snapshot. The serving version is
 * the pinned one when set, else the newest loaded.
 */
public final class Catalog {
  private static final int ACQUIRE_ATTEMPTS = 100;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

  /** What one model looks like at an instant. */
  public record Slot(NavigableMap<Long, ServedVersion> versions, Long pinned) {
    static final Slot EMPTY = new Slot(Collections.emptyNavigableMap(), null);

    /** The version requests without a version go to, or null. */
    public ServedVersion serving() {
      if (pinned != null && versions.containsKey(pinned)) {
        return versions.get(pinned);
      }
      return versions.isEmpty() ? null : versions.lastEntry().getValue();
    }
  }

  /**
   * Leases a version: the serving one when {@code version} is 0, else that version. Returns null
   * when there is none; the caller must {@link ServedVersion#release()} a non-null result.
   */
  public ServedVersion acquire(String model, long version) {
    for (int i = 0; i < ACQUIRE_ATTEMPTS; i++) {
      Slot slot = slots.get(model);
      if (slot == null) {
        return null;
      }
      ServedVersion v = version == 0 ? slot.serving() : slot.versions().get(version);
      if (v == null) {
        return null;
      }
      if (v.tryAcquire()) {
        return v;
      }
      // Retired between the lookup and the lease: the snapshot has moved on, look again.
      Thread.onSpinWait();
    }
    return null;
  }

  public Slot slot(String model) {
    return slots.getOrDefault(model, Slot.EMPTY);
  }

  public ServedVersion serving(String model) {
    return slot(model).serving();
  }

  public ServedVersion version(String model, long version) {
    return slot(model).versions().get(version);
  }

  public Set<String> models() {
    return Set.copyOf(slots.keySet());
  }

  public int loadedCount() {
    return slots.values().stream().mapToInt(s -> s.versions().size()).sum();
  }

  /**
   * Adds a loaded version; a version already there with another digest is replaced and retired.
   *
   * @return the replaced version, or null
   */
  public synchronized ServedVersion add(ServedVersion v) {
    Slot slot = slot(v.model());
    TreeMap<Long, ServedVersion> versions = new TreeMap<>(slot.versions());
    ServedVersion replaced = versions.put(v.version(), v);
    put(v.model(), new Slot(Collections.unmodifiableNavigableMap(versions), slot.pinned()));
    if (replaced != null && replaced != v) {
      replaced.retire();
      return replaced;
    }
    return null;
  }

  /** Removes and retires a version; returns it, or null when it was not loaded. */
  public synchronized ServedVersion remove(String model, long version) {
    Slot slot = slot(model);
    if (!slot.versions().containsKey(version)) {
      return null;
    }
    TreeMap<Long, ServedVersion> versions = new TreeMap<>(slot.versions());
    ServedVersion removed = versions.remove(version);
    Long pinned = slot.pinned() != null && slot.pinned() == version ? null : slot.pinned();
    put(model, new Slot(Collections.unmodifiableNavigableMap(versions), pinned));
    removed.retire();
    return removed;
  }

  /**
   * Removes and retires the oldest versions beyond the newest {@code keep}, never the serving one.
   */
  public synchronized List<ServedVersion> trim(String model, int keep) {
    Slot slot = slot(model);
    ServedVersion serving = slot.serving();
    List<ServedVersion> removed = new ArrayList<>();
    int kept = 0;
    for (ServedVersion v : slot.versions().descendingMap().values()) {
      if (kept < keep || v == serving || Long.valueOf(v.version()).equals(slot.pinned())) {
        kept++;
      } else {
        removed.add(v);
      }
    }
    removed.forEach(v -> remove(model, v.version()));
    return removed;
  }

  /**
   * Serves {@code version} until unpinned. A pin of a version not loaded yet takes effect when it
   * is added, and keeps it from being trimmed; until then the newest version serves.
   *
   * @return the previous pin, or null
   */
  public synchronized Long pin(String model, long version) {
    Slot slot = slot(model);
    put(model, new Slot(slot.versions(), version));
    return slot.pinned();
  }

  /** Restores a pin returned by {@link #pin}, or clears it when null. */
  public synchronized void unpin(String model, Long previous) {
    Slot slot = slot(model);
    put(model, new Slot(slot.versions(), previous));
  }

  /** Retires every version of every model (shutdown). */
  public synchronized List<ServedVersion> clear() {
    List<ServedVersion> all = new ArrayList<>();
    slots.values().forEach(s -> all.addAll(s.versions().values()));
    slots.clear();
    all.forEach(ServedVersion::retire);
    return all;
  }

  private void put(String model, Slot slot) {
    if (slot.versions().isEmpty() && slot.pinned() == null) {
      slots.remove(model);
    } else {
      slots.put(model, slot);
    }
  }
}
