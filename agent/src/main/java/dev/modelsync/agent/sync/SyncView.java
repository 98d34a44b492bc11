package dev.modelsync.agent.sync;

import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Ledger.Entry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent sees and published, as /models shows it, and the digests of live versions, which
 * decide what the artifact endpoints serve. Built on the sync thread after each task; immutable, so
 * any thread may read it.
 */
record SyncView(Map<String, Object> models, Map<String, String> liveDigests) {
  static final SyncView EMPTY = new SyncView(Map.of(), Map.of());

  static SyncView of(Map<String, Tracker> trackers, Ledger ledger) {
    Map<String, Object> seen = new LinkedHashMap<>();
    trackers.forEach((relative, t) -> seen.put(relative, t.describe()));
    List<Entry> versions = ledger.all();
    Map<String, String> live = new HashMap<>();
    versions.stream()
        .filter(Entry::live)
        .forEach(e -> live.put(e.model() + "/" + e.version(), e.digest()));
    return new SyncView(
        Map.of("seen", seen, "versions", versions, "pending", ledger.pendingCount()),
        Map.copyOf(live));
  }

  Optional<String> liveDigest(String model, long version) {
    return Optional.ofNullable(liveDigests.get(model + "/" + version));
  }
}
