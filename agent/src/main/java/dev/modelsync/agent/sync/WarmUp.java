package dev.modelsync.agent.sync;

import dev.modelsync.agent.store.Archiver;
import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Snapshotter;
import dev.modelsync.agent.watch.Completion;
import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.Observation;
import dev.modelsync.agent.watch.Observer;
import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.events.EventCodec;
import dev.modelsync.files.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the save path on a small synthetic model a few hundred times at start, in a temporary
 * directory of its own, so that the first real saves run compiled code: interpreted, observing,
 * copying, digesting and encoding a save took about twice as long. It runs first on the sync
 * thread, so start-up does not wait for it (about a second). Nothing is published and the models
 * directory and the store are not touched.
 */
public final class WarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  static final int ROUNDS = 200;

  private WarmUp() {}

  public static void run(EventCodec codec, long quietMs) {
    long started = System.nanoTime();
    Path root = null;
    try {
      root = Files.createTempDirectory("modelsync-agent-warmup");
      Path version = Files.createDirectories(root.resolve("models/warmup/1"));
      Files.write(version.resolve("model.onnx"), new byte[4096]);
      Files.writeString(
          version.resolve("model.json"),
          "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\"}",
          StandardCharsets.UTF_8);
      Layout layout = new Layout(root.resolve("models"));
      SaveUnit unit = layout.unitOf(version).orElseThrow();
      Observer observer = new Observer(layout.modelsDir(), link -> {});
      Path store = root.resolve("store");
      Archiver archiver = new Archiver(new Snapshotter(store), observer);
      Ledger ledger = Ledger.load(store);
      for (int i = 0; i < ROUNDS; i++) {
        Observation obs = observer.observe(unit);
        Completion.decide(obs, quietMs, quietMs);
        if (archiver.archive(unit, obs, ledger, Instant.now()) instanceof Archiver.Ready ready) {
          codec.encode(ready.event());
        }
      }
      LOG.debug("Warmed the save path up in {} ms", (System.nanoTime() - started) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Warm-up skipped: {}", e.toString());
    } finally {
      if (root != null) {
        Trees.delete(root);
      }
    }
  }
}
