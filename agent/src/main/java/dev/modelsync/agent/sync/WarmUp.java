package dev.modelsync.agent.sync;

import dev.modelsync.agent.store.Archiver;
import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Snapshotter;
import dev.modelsync.agent.watch.Completion;
import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.Observation;
import dev.modelsync.agent.watch.Observer;
import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.config.BackgroundWarmUp;
import dev.modelsync.config.Check;
import dev.modelsync.config.Option;
import dev.modelsync.events.EventCodec;
import dev.modelsync.files.Trees;
import java.nio.charset.StandardCharsets;
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
 * Runs the agent's part of a save on two small synthetic models many times at start, one in each
 * layout (a version directory and a single file), in a temporary directory of its own, so that the
 * first real saves run compiled code. A round observes each, decides it complete, copies it into a
 * store of the warm-up's own with its digest, and encodes its {@code model.saved}; nothing is
 * published and the models directory and the real store are not touched. It runs on a thread of its
 * own (see {@link BackgroundWarmUp}), so neither start-up nor a save waits for it.
 */
public final class WarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

  public static final Option ROUNDS =
      Option.optional(
              "MODELSYNC_SAVE_WARMUP_ROUNDS",
              "save-warmup-rounds",
              "5000",
              "rounds of the agent's save path at start (observe, copy into a store of its own,"
                  + " digest, encode) on two small synthetic models in a temporary directory, so"
                  + " that the first saves run compiled code (0 = off; at most 60 s)")
          .checked(Check.range(0, 1_000_000));

  /** Rounds the logged median is taken over, the last ones. */
  private static final int WINDOW = 200;

  private static final BackgroundWarmUp WARM_UP = warmUp();

  private static BackgroundWarmUp warmUp() {
    return new BackgroundWarmUp(
        LOG,
        "modelsync-save-warmup",
        ROUNDS,
        WINDOW,
        new BackgroundWarmUp.Wording(
            "Save warm-up",
            "the save path",
            "rounds",
            "the first saves run slower until the JIT compiles their path"));
  }

  private WarmUp() {}

  /**
   * Starts the warm-up on a daemon thread (once per process); returns at once.
   *
   * @param codec encodes as the agent's publisher does
   */
  public static CompletableFuture<Optional<BackgroundWarmUp.Outcome>> start(
      int rounds, EventCodec codec, long quietMs) {
    return WARM_UP.start(rounds, new Saves(codec, quietMs));
  }

  /** Ends a running warm-up after its round; see {@link BackgroundWarmUp#stop}. */
  public static boolean stop(Duration wait) throws InterruptedException {
    return WARM_UP.stop(wait);
  }

  /**
   * Blocking, for tests: {@code count} rounds within {@code budget}, on an instance of its own (the
   * process's one is stopped for good once an agent in it closes).
   */
  static BackgroundWarmUp.Outcome run(EventCodec codec, long quietMs, int count, Duration budget)
      throws Exception {
    return warmUp().run(new Saves(codec, quietMs), count, budget);
  }

  /** The rounds: both layouts, observed, decided, archived and encoded. */
  static final class Saves implements BackgroundWarmUp.Rounds {
    private final EventCodec codec;
    private final long quietMs;
    private Path root;
    private List<SaveUnit> units;
    private Observer observer;
    private Archiver archiver;
    private Ledger ledger;
    int ready;

    Saves(EventCodec codec, long quietMs) {
      this.codec = codec;
      this.quietMs = quietMs;
    }

    @Override
    public void setup(long deadlineNanos) throws Exception {
      root = Files.createTempDirectory("modelsync-agent-warmup");
      Path models = Files.createDirectories(root.resolve("models"));
      Path version = Files.createDirectories(models.resolve("warmup/1"));
      Files.write(version.resolve("model.onnx"), new byte[4096]);
      Files.writeString(
          version.resolve("model.json"),
          "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\"}",
          StandardCharsets.UTF_8);
      Path single = models.resolve("single.onnx");
      Files.write(single, new byte[1024]);
      Layout layout = new Layout(models);
      units = List.of(layout.unitOf(version).orElseThrow(), layout.unitOf(single).orElseThrow());
      observer = new Observer(models, link -> {});
      Path store = root.resolve("store");
      archiver = new Archiver(new Snapshotter(store), observer);
      ledger = Ledger.load(store);
    }

    @Override
    public void round() throws Exception {
      for (SaveUnit unit : units) {
        Observation obs = observer.observe(unit);
        Completion.decide(obs, quietMs, quietMs);
        if (archiver.archive(unit, obs, ledger, Instant.now()) instanceof Archiver.Ready r) {
          codec.encode(r.event());
          ready++;
        }
      }
    }

    @Override
    public void close() {
      if (root != null) {
        Trees.delete(root);
      }
    }

    Path root() {
      return root;
    }
  }
}
