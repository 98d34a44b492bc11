package dev.modelsync.api.deploy;

import dev.modelsync.api.artifacts.LocalStore;
import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.EngineRegistry;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.config.BackgroundWarmUp;
import dev.modelsync.config.Check;
import dev.modelsync.config.Option;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.files.Trees;
import dev.modelsync.onnx.OnnxModelWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what the api does with a {@code model.saved} event, from the record's bytes to a warmed-up
 * model, a few thousand times at start on a tiny real ONNX model in a store of its own: decode and
 * check the event (signature too when a key is set), check the files' digest, open an ONNX Runtime
 * session, answer the warm-up request, register the version's meters, swap it into a catalog and
 * retire and close the version before it. A save runs this path once, so without this it stays
 * interpreted for the first hundreds of saves: on this project's test machine a load of the 1x4
 * model took 3.6–4.4 ms of CPU in a fresh process and 1.1–1.3 ms after 2,000 loads.
 *
 * <p>Nothing reaches the api's catalog, the topics or the api's metrics: the catalog and the meters
 * are the warm-up's own. It runs once per process, on a daemon thread of its own, never delays
 * start-up or a load, and is bounded in time; a failure ends it with one log line.
 */
public final class LoadWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(LoadWarmUp.class);

  public static final Option ROUNDS =
      Option.optional(
              "MODELSYNC_LOAD_WARMUP_ROUNDS",
              "load-warmup-rounds",
              "2000",
              "times a tiny ONNX model is decoded, checked, loaded, warmed up and closed at start,"
                  + " so that the first saves run compiled code (0 = off; at most 60 s)")
          .checked(Check.range(0, 1_000_000));

  /** Loads the logged median is taken over, the last ones. */
  private static final int WINDOW = 100;

  private static final BackgroundWarmUp WARM_UP =
      new BackgroundWarmUp(
          LOG,
          "modelsync-load-warmup",
          ROUNDS,
          WINDOW,
          new BackgroundWarmUp.Wording(
              "Load warm-up", "the load path", "loads", "the first saves load slower"));

  private LoadWarmUp() {}

  /**
   * Starts the warm-up on a daemon thread unless {@code rounds} is 0 or one has started in this
   * process already; returns at once.
   *
   * @param key the event key the api checks signatures with, so that the same check is warmed
   * @param intraOpThreads ONNX Runtime's threads per session, as the api's loaders use
   * @return completed with what the warm-up did, or empty when it did not run or failed
   */
  public static CompletableFuture<Optional<BackgroundWarmUp.Outcome>> start(
      int rounds, Optional<EventKey> key, int intraOpThreads, long maxTensorBytes) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    return WARM_UP.start(rounds, new Loads(key, intraOpThreads, maxTensorBytes, tmp));
  }

  /**
   * Ends a warm-up under way after its current round and waits for it, at most {@code wait}; none
   * starts after. Call before the process closes what the warm-up uses.
   *
   * @return false when it was still running after {@code wait}
   */
  public static boolean stop(Duration wait) throws InterruptedException {
    return WARM_UP.stop(wait);
  }

  /**
   * Blocking: at most {@code rounds} loads, fewer if the budget runs out, in a directory made in
   * {@code tmp} and deleted after.
   */
  static BackgroundWarmUp.Outcome run(
      int rounds,
      Duration budget,
      Optional<EventKey> key,
      int intraOpThreads,
      long maxTensorBytes,
      Path tmp)
      throws Exception {
    return run(new Loads(key, intraOpThreads, maxTensorBytes, tmp), rounds, budget);
  }

  static BackgroundWarmUp.Outcome run(Loads loads, int rounds, Duration budget) throws Exception {
    return WARM_UP.run(loads, rounds, budget);
  }

  /**
   * A round: the saved event decoded and checked, the model loaded and warmed up, then swapped into
   * the warm-up's own catalog, which retires and closes the one before it.
   */
  static final class Loads implements BackgroundWarmUp.Rounds {
    private final Optional<EventKey> key;
    private final int intraOpThreads;
    private final long maxTensorBytes;
    private final Path tmp;
    private Path root;
    private EventCodec codec;
    private byte[] record;
    private VersionLoader loader;
    private ApiMetrics metrics;
    private Catalog catalog;
    private long version;
    private int mostKept;

    Loads(Optional<EventKey> key, int intraOpThreads, long maxTensorBytes, Path tmp) {
      this.key = key;
      this.intraOpThreads = intraOpThreads;
      this.maxTensorBytes = maxTensorBytes;
      this.tmp = tmp;
    }

    @Override
    public void setup(long deadlineNanos) throws Exception {
      root = Files.createTempDirectory(tmp, "modelsync-load-warmup");
      Path store = root.resolve("store");
      Path version = Files.createDirectories(store.resolve("warmup").resolve("1"));
      byte[] onnx = OnnxModelWriter.affine(1f);
      Files.write(version.resolve("model.onnx"), onnx);
      ModelSaved saved =
          new ModelSaved(
              "warmup",
              1,
              Digests.ofDirectory(version),
              onnx.length,
              "OnnxRuntime",
              List.of(),
              "warmup/1",
              null,
              Instant.now(),
              null);
      codec = new EventCodec(URI.create("/modelsync/api/warmup"), key);
      record = codec.encode(saved);
      metrics =
          new ApiMetrics(
              "warmup", () -> 0, new ApiMetrics.OpenResources(() -> 0, () -> 0, () -> 0));
      loader =
          new VersionLoader(
              new LocalStore(store),
              new EngineRegistry(EngineRegistry.standardLoaders(intraOpThreads)),
              metrics,
              maxTensorBytes);
      catalog = new Catalog();
    }

    /**
     * Then what the deployer does with a loaded version, each round as a new version: its meters,
     * the catalog's swap, and the version before it retired (closed, its meters removed). With
     * these warmed too, the first 30 saves after start served at 0.84x the p50 (six pairs; README).
     */
    @Override
    public void round() throws Exception {
      ModelSaved saved = (ModelSaved) codec.decode(record);
      LoadedModel model = loader.load(saved);
      version++;
      catalog.add(
          new ServedVersion(
              saved.model(),
              version,
              saved.digest(),
              model,
              metrics.version(saved.model(), version),
              Runnable::run));
      for (ServedVersion old : catalog.trim(saved.model(), 1)) {
        metrics.forget(old.meters());
      }
      mostKept = Math.max(mostKept, catalog.slot(saved.model()).versions().size());
      metrics.loaded(saved.model(), Duration.ofMillis(1));
      metrics.swapped(saved.model());
      metrics.servedAfterSave(saved.model(), Duration.ofMillis(1));
    }

    /** Versions swapped in so far, one per round. */
    long versions() {
      return version;
    }

    /** The most versions the warm-up's catalog held after a round: 1 when each retires the last. */
    int mostKept() {
      return mostKept;
    }

    @Override
    public void close() {
      if (catalog != null) {
        catalog.clear();
      }
      if (metrics != null) {
        metrics.close();
      }
      if (root != null) {
        Trees.delete(root);
      }
    }
  }
}
