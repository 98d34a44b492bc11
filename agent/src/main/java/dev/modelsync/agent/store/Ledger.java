package dev.modelsync.agent.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent has queued and published, per model and version, and where each version came from.
 * Only acknowledged facts are written to the state file, so after a restart whatever was queued but
 * not acknowledged is published again and nothing acknowledged is. Not thread-safe: one thread owns
 * it.
 */
public final class Ledger {
  /** Where a version stands. */
  public enum Status {
    SAVE_PENDING,
    PUBLISHED,
    DELETE_PENDING,
    DELETED
  }

  /**
   * One version.
   *
   * @param source the unit it came from, relative to the models directory ({@code iris/3} or {@code
   *     iris.onnx})
   * @param fingerprint the source's names, sizes and times when it was snapshotted
   * @param saveAcked Kafka acknowledged its {@code model.saved}
   */
  public record Entry(
      String model,
      long version,
      String digest,
      String source,
      String fingerprint,
      Status status,
      boolean saveAcked) {
    Entry with(Status newStatus, boolean acked) {
      return new Entry(model, version, digest, source, fingerprint, newStatus, acked);
    }

    /** Saved and not deleted, or about to be. */
    public boolean live() {
      return status == Status.SAVE_PENDING || status == Status.PUBLISHED;
    }
  }

  /** The state file's form of an acknowledged version. */
  record Persisted(
      String model,
      long version,
      String digest,
      String source,
      String fingerprint,
      boolean deleted) {}

  record StateFile(List<Persisted> versions) {}

  private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
  private static final ObjectMapper MAPPER = Json.newMapper();
  private final Map<String, TreeMap<Long, Entry>> byModel = new TreeMap<>();
  private final Path file;
  private boolean rebuilt;

  /** {@link #all()} as of the last change; null once a change made it stale. */
  private List<Entry> all;

  private long pending;

  /** Each acknowledged entry's bytes in the state file, by identity: an entry never changes. */
  private Map<Entry, byte[]> encoded = new IdentityHashMap<>();

  private static final byte[] STATE_OPEN = "{\"versions\":[".getBytes(StandardCharsets.UTF_8);
  private static final byte[] STATE_CLOSE = "]}".getBytes(StandardCharsets.UTF_8);
  private long changes;

  private Ledger(Path file) {
    this.file = file;
  }

  /** The ledger of a store; see {@link #load(Path, StateRecovery.Sources)}. */
  public static Ledger load(Path storeDir) throws IOException {
    return load(storeDir, (model, version) -> model + "/" + version);
  }

  /**
   * The ledger of a store, from its state file. A missing or corrupt one (logged in one line naming
   * the file; a corrupt one is kept beside it as {@code state.json.corrupt}) is rebuilt from the
   * versions in the store, each counted as published from the source {@code sources} names.
   */
  public static Ledger load(Path storeDir, StateRecovery.Sources sources) throws IOException {
    Ledger ledger = new Ledger(storeDir.resolve(".modelsync-agent").resolve("state.json"));
    if (Files.exists(ledger.file)) {
      try {
        ledger.read();
        return ledger;
      } catch (IOException | RuntimeException e) {
        ledger.byModel.clear(); // an entry read before the bad one must not stay
        ledger.pending = 0;
        ledger.changed();
        Path aside = ledger.file.resolveSibling(ledger.file.getFileName() + ".corrupt");
        Files.move(ledger.file, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.error(
            "The agent state {} is corrupt ({}); moved it to {} and rebuilding it from the store",
            ledger.file,
            StateRecovery.firstLine(e),
            aside);
      }
    }
    for (StateRecovery.Stored v : StateRecovery.scan(storeDir)) {
      ledger.put(
          new Entry(
              v.model(),
              v.version(),
              v.digest(),
              sources.of(v.model(), v.version()),
              null,
              Status.PUBLISHED,
              true));
    }
    ledger.rebuilt = true;
    if (!ledger.byModel.isEmpty()) { // (PIT: a log line only; its mutants are equivalent)
      LOG.warn(
          "No usable agent state in {}: rebuilt it from {} versions in the store",
          ledger.file,
          ledger.all().size());
    }
    return ledger;
  }

  private void read() throws IOException {
    StateFile state = MAPPER.readValue(file.toFile(), StateFile.class);
    for (Persisted p : state.versions() == null ? List.<Persisted>of() : state.versions()) {
      if (p == null
          || !ModelNames.isValid(p.model())
          || p.version() < 1
          || p.digest() == null
          || p.source() == null) {
        throw new IllegalArgumentException("an entry is incomplete: " + p);
      }
      put(
          new Entry(
              p.model(),
              p.version(),
              p.digest(),
              p.source(),
              p.fingerprint(),
              p.deleted() ? Status.DELETED : Status.PUBLISHED,
              true));
    }
  }

  /** Whether the state file was missing or corrupt and this ledger was rebuilt from the store. */
  public boolean rebuilt() {
    return rebuilt;
  }

  /**
   * Versions up to {@code version} were published once (the topic says so) though the store no
   * longer holds them: a single-file model's next version goes above it. Recorded as deleted.
   */
  public void reserve(String model, long version) {
    if (version >= nextVersion(model)) {
      put(new Entry(model, version, "", "", null, Status.DELETED, true));
    }
  }

  /**
   * Forgets the rebuilt versions whose {@code model.saved} the topic does not hold ({@code
   * announced} as {@code TopicVersions.key}): saved into the store but never acknowledged before
   * the state was lost. Forgotten, they are snapshotted and published again like any version whose
   * event was not acknowledged (the store's copy is kept when the source still matches it).
   *
   * @return the forgotten versions
   */
  public List<Entry> forgetUnannounced(java.util.function.Predicate<Entry> announced) {
    List<Entry> forgotten =
        all().stream().filter(e -> e.status() == Status.PUBLISHED && !announced.test(e)).toList();
    for (Entry e : forgotten) {
      TreeMap<Long, Entry> versions = byModel.get(e.model());
      versions.remove(e.version()); // PUBLISHED: never counted as pending
      if (versions.isEmpty()) {
        byModel.remove(e.model());
      }
      changed();
    }
    return forgotten;
  }

  public Optional<Entry> get(String model, long version) {
    return Optional.ofNullable(byModel.getOrDefault(model, new TreeMap<>()).get(version));
  }

  /** The highest live version of a model: what a new save's digest is compared with. */
  public Optional<Entry> latestLive(String model) {
    return byModel.getOrDefault(model, new TreeMap<>()).descendingMap().values().stream()
        .filter(Entry::live)
        .findFirst();
  }

  /** The version a single-file save gets: one more than any version the model ever had. */
  public long nextVersion(String model) {
    TreeMap<Long, Entry> versions = byModel.get(model);
    return versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
  }

  /** Live versions that came from a source, oldest first. */
  public List<Entry> liveFrom(String source) {
    return all().stream().filter(e -> e.live() && e.source().equals(source)).toList();
  }

  /** Every version, by model and version; immutable, rebuilt only after a change. */
  public List<Entry> all() {
    if (all == null) {
      List<Entry> out = new ArrayList<>();
      byModel.values().forEach(v -> out.addAll(v.values()));
      all = List.copyOf(out);
    }
    return all;
  }

  /** How many changes this ledger has seen: equal counts, equal contents. */
  public long changes() {
    return changes;
  }

  public long pendingCount() {
    return pending;
  }

  private static boolean pending(Entry e) {
    return e != null && (e.status() == Status.SAVE_PENDING || e.status() == Status.DELETE_PENDING);
  }

  private void changed() {
    all = null;
    changes++;
  }

  public void saveQueued(
      String model, long version, String digest, String source, String fingerprint) {
    put(new Entry(model, version, digest, source, fingerprint, Status.SAVE_PENDING, false));
  }

  public void saveAcked(String model, long version) {
    get(model, version)
        .ifPresent(
            e ->
                put(
                    e.with(
                        e.status() == Status.SAVE_PENDING ? Status.PUBLISHED : e.status(), true)));
  }

  public void deleteQueued(String model, long version) {
    get(model, version).ifPresent(e -> put(e.with(Status.DELETE_PENDING, e.saveAcked())));
  }

  public void deleteAcked(String model, long version) {
    get(model, version).ifPresent(e -> put(e.with(Status.DELETED, e.saveAcked())));
  }

  private void put(Entry entry) {
    Entry old =
        byModel.computeIfAbsent(entry.model(), m -> new TreeMap<>()).put(entry.version(), entry);
    pending += (pending(entry) ? 1 : 0) - (pending(old) ? 1 : 0);
    changed();
  }

  /**
   * The acknowledged facts as the state file holds them (compact JSON: only programs read it, and
   * it is rewritten after every acknowledgement); on the thread that owns the ledger. Each version
   * is encoded once and its bytes kept until its entry changes.
   */
  public byte[] acknowledgedState() throws IOException {
    Map<Entry, byte[]> now = new IdentityHashMap<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(STATE_OPEN);
    for (Entry e : all()) { // by model, then version
      if (e.saveAcked()) {
        byte[] bytes = encoded.get(e);
        if (bytes == null) {
          bytes = MAPPER.writeValueAsBytes(persisted(e));
        }
        now.put(e, bytes);
        if (now.size() > 1) {
          out.write(',');
        }
        out.write(bytes);
      }
    }
    out.write(STATE_CLOSE);
    encoded = now;
    return out.toByteArray();
  }

  static Persisted persisted(Entry e) {
    return new Persisted(
        e.model(),
        e.version(),
        e.digest(),
        e.source(),
        e.fingerprint(),
        e.status() == Status.DELETED);
  }

  /** Writes the acknowledged facts atomically, on this thread. */
  public void persist() throws IOException {
    write(file, acknowledgedState());
  }

  /** The state file of this ledger. */
  public Path file() {
    return file;
  }

  /** Writes a state file atomically: a temporary file, fsync, rename; from any thread. */
  public static void write(Path file, byte[] state) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(java.nio.ByteBuffer.wrap(state));
      out.force(true); // (PIT: survives removal; shows only after a power loss)
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
