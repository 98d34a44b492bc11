package dev.modelsync.agent.sync;

import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Ledger.Entry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent sees and published, as /models shows it, and the digests of live versions, which
 * decide what the artifact endpoints serve. Built on the sync thread after each task; immutable, so
 * any thread may read it.
 *
 * @param seen each tracker's description, as {@code models} holds it
 * @param ledgerChanges the ledger's {@link Ledger#changes()} it was built from
 */
record SyncView(
    Map<String, Object> models,
    Map<String, String> liveDigests,
    Map<String, String> seen,
    long ledgerChanges) {
  static final SyncView EMPTY = new SyncView(Map.of(), Map.of(), Map.of(), -1);

  /** Built from scratch. */
  static SyncView of(Map<String, Tracker> trackers, Ledger ledger) {
    return EMPTY.next(trackers, ledger);
  }

  /**
   * This view after a task: what did not change is shared with it, so a task that changed nothing
   * costs a pass over the trackers and no copy of the ledger.
   */
  SyncView next(Map<String, Tracker> trackers, Ledger ledger) {
    boolean sameSeen = unchanged(trackers);
    boolean sameLedger = ledgerChanges == ledger.changes();
    if (sameSeen && sameLedger) {
      return this;
    }
    Map<String, String> newSeen = seen;
    if (!sameSeen) {
      Map<String, String> described = new LinkedHashMap<>();
      trackers.forEach((relative, t) -> described.put(relative, t.describe()));
      newSeen = java.util.Collections.unmodifiableMap(described);
    }
    Map<String, String> live = liveDigests;
    if (!sameLedger) {
      Map<String, String> digests = new HashMap<>();
      for (Entry e : ledger.all()) {
        if (e.live()) {
          digests.put(e.model() + "/" + e.version(), e.digest());
        }
      }
      live = Map.copyOf(digests);
    }
    return new SyncView(
        Map.of("seen", newSeen, "versions", ledger.all(), "pending", ledger.pendingCount()),
        live,
        newSeen,
        ledger.changes());
  }

  /** The trackers, in order, are the ones {@link #seen} describes, each as it describes it. */
  private boolean unchanged(Map<String, Tracker> trackers) {
    if (models.isEmpty() || trackers.size() != seen.size()) {
      return false;
    }
    Iterator<Map.Entry<String, String>> before = seen.entrySet().iterator();
    for (Map.Entry<String, Tracker> now : trackers.entrySet()) {
      Map.Entry<String, String> was = before.next();
      // describe() returns the same String until the tracker changes
      if (!was.getKey().equals(now.getKey()) || was.getValue() != now.getValue().describe()) {
        return false;
      }
    }
    return true;
  }

  Optional<String> liveDigest(String model, long version) {
    return Optional.ofNullable(liveDigests.get(model + "/" + version));
  }
}
