package dev.modelsync.api.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The loaded versions of every model and which one serves. Reads (every request) are lock-free over
 * immutable snapshots; changes are serialised and publish a new snapshot. The serving version is
 * the pinned one when set, else the newest loaded that is not a rollout's candidate. A canary's
 * candidate takes its share of the requests that name no version and answers requests naming it; a
 * shadow's candidate answers nothing (its copies run on the version itself, not through here).
 */
public final class Catalog {
  private static final int ACQUIRE_ATTEMPTS = 100;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

  /**
   * What one model looks like at an instant.
   *
   * @param candidate the version a rollout holds back from serving (shadow, canary), or null
   * @param canary the candidate's share of requests, or null while it takes none
   * @param shadow whether the candidate is a shadow's, served to nobody
   */
  public record Slot(
      NavigableMap<Long, ServedVersion> versions,
      Long pinned,
      Long candidate,
      Canary canary,
      boolean shadow) {
    static final Slot EMPTY = new Slot(Collections.emptyNavigableMap(), null, null, null, false);

    /** Whether {@code version} is a shadow's candidate, which answers no request. */
    public boolean shadowed(long version) {
      return shadow && candidate != null && candidate == version;
    }

    /** The versions a request may name: every loaded one but a shadow's candidate. */
    public NavigableMap<Long, ServedVersion> served() {
      if (!shadow || candidate == null || !versions.containsKey(candidate)) {
        return versions;
      }
      TreeMap<Long, ServedVersion> served = new TreeMap<>(versions);
      served.remove(candidate);
      return Collections.unmodifiableNavigableMap(served);
    }

    /** The version requests without a version go to, but for a canary's share, or null. */
    public ServedVersion serving() {
      if (pinned != null && versions.containsKey(pinned)) {
        return versions.get(pinned);
      }
      if (versions.isEmpty()) {
        return null;
      }
      var newest = versions.lastEntry();
      if (candidate == null || newest.getKey().longValue() != candidate) {
        return newest.getValue();
      }
      var below = versions.lowerEntry(candidate);
      return below == null ? null : below.getValue();
    }

    /** The version this request without a version goes to: a canary takes its share. */
    ServedVersion route() {
      if (canary != null && pinned == null && canary.take()) {
        ServedVersion v = versions.get(canary.candidate());
        if (v != null) {
          return v;
        }
      }
      return serving();
    }

    private Slot with(NavigableMap<Long, ServedVersion> newVersions, Long newPinned) {
      boolean kept = candidate != null && newVersions.containsKey(candidate);
      return new Slot(
          newVersions, newPinned, kept ? candidate : null, kept ? canary : null, kept && shadow);
    }
  }

  /**
   * A canary's share of the requests that name no version, spread evenly: of any {@code n}
   * consecutive requests, {@code n * share / 100} (rounded either way) go to the candidate.
   */
  public record Canary(long candidate, int share, AtomicLong requests) {
    boolean take() {
      long n = requests.getAndIncrement();
      return (n + 1) * share / 100 > n * share / 100;
    }
  }

  /**
   * Leases a version to answer a request: when {@code version} is 0 the serving one, or the
   * canary's candidate for its share; else that version, unless it is a shadow's candidate. Returns
   * null when there is none; the caller must {@link ServedVersion#release()} a non-null result.
   */
  public ServedVersion acquire(String model, long version) {
    return acquire(model, version, true);
  }

  /**
   * Leases a version to describe it (metadata, readiness): like {@link #acquire} but with 0 always
   * the serving version, never a canary's share (nor a turn of its split).
   */
  public ServedVersion acquireServing(String model, long version) {
    return acquire(model, version, false);
  }

  private ServedVersion acquire(String model, long version, boolean route) {
    for (int i = 0; i < ACQUIRE_ATTEMPTS; i++) {
      Slot slot = slots.get(model);
      if (slot == null || (version != 0 && slot.shadowed(version))) {
        return null;
      }
      ServedVersion v =
          version == 0 ? (route ? slot.route() : slot.serving()) : slot.versions().get(version);
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
    put(v.model(), slot.with(Collections.unmodifiableNavigableMap(versions), slot.pinned()));
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
    put(model, slot.with(Collections.unmodifiableNavigableMap(versions), pinned));
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
      if (kept < keep
          || v == serving
          || Long.valueOf(v.version()).equals(slot.pinned())
          || Long.valueOf(v.version()).equals(slot.candidate())) {
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
    put(model, slot.with(slot.versions(), version));
    return slot.pinned();
  }

  /** Restores a pin returned by {@link #pin}, or clears it when null. */
  public synchronized void unpin(String model, Long previous) {
    Slot slot = slot(model);
    put(model, slot.with(slot.versions(), previous));
  }

  /**
   * Adds a loaded version that a rollout holds back until {@link #promote}d or removed: a shadow's
   * answers nothing, a canary's only requests naming it (and its share, once set). Returns the
   * replaced version, or null.
   */
  public synchronized ServedVersion addCandidate(ServedVersion v, boolean shadow) {
    ServedVersion replaced = add(v);
    Slot slot = slot(v.model());
    put(v.model(), new Slot(slot.versions(), slot.pinned(), v.version(), null, shadow));
    return replaced;
  }

  /** Sets the candidate's share of the requests that name no version (0 = none). */
  public synchronized void share(String model, long candidate, int share) {
    Slot slot = slot(model);
    if (slot.candidate() == null || slot.candidate() != candidate) {
      return;
    }
    Canary canary = share <= 0 ? null : new Canary(candidate, share, new AtomicLong());
    put(model, new Slot(slot.versions(), slot.pinned(), candidate, canary, slot.shadow()));
  }

  /** The candidate serves every request from now on (as the newest version). */
  public synchronized void promote(String model, long candidate) {
    Slot slot = slot(model);
    if (slot.candidate() != null && slot.candidate() == candidate) {
      put(model, new Slot(slot.versions(), slot.pinned(), null, null, false));
    }
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
