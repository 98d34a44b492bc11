package dev.modelsync.standalone.faults;

import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Swaps a model of a few MB of weights {@code swaps} times through the whole system (save, agent,
 * Kafka, api) and measures this process's RSS and the api's open models after swap 100 and after
 * the last. Two seeds alternate so every version's digest differs from the one before; versions
 * older than three are deleted from the models directory and the store to keep the disk small.
 */
public final class NativeMemory {
  static final String MODEL = "mem";

  /** RSS in kB and open models at swap 100 and at the last swap. */
  public record Result(
      int swaps, long rssAt100, long rssAtEnd, double openAt100, double openAtEnd) {
    public double growth() {
      return (double) rssAtEnd / rssAt100 - 1;
    }

    public String describe() {
      return String.format(
          Locale.ROOT,
          "native memory: %d swaps of a %.1f MB model; RSS after swap 100: %.1f MB, after swap %d:"
              + " %.1f MB (%+.1f%%); modelsync_models_open after swap 100: %.0f, after swap %d: %.0f",
          swaps,
          OnnxModelWriter.withHiddenLayer(HIDDEN, 0).length / 1e6,
          rssAt100 / 1024.0,
          swaps,
          rssAtEnd / 1024.0,
          growth() * 100,
          openAt100,
          swaps,
          openAtEnd);
    }
  }

  static final int HIDDEN = 100_000;

  private NativeMemory() {}

  public static Result run(StandaloneHarness system, int swaps) throws Exception {
    byte[][] models = {
      OnnxModelWriter.withHiddenLayer(HIDDEN, 1), OnnxModelWriter.withHiddenLayer(HIDDEN, 2)
    };
    long rssAt100 = 0;
    double openAt100 = 0;
    for (int v = 1; v <= swaps; v++) {
      StandaloneHarness.saveVersion(system.modelsDir(), MODEL, v, models[v % 2]);
      String ready = "/v2/models/" + MODEL + "/versions/" + v + "/ready";
      int version = v;
      Faults.await(
          Duration.ofSeconds(60),
          "version " + version + " loaded",
          () -> {
            var r = Faults.get(system.apiPort(), ready);
            return r != null && r.statusCode() == 200;
          });
      if (v > 3) {
        deleteTree(system.modelsDir().resolve(MODEL).resolve(Long.toString(v - 3)));
        deleteTree(system.storeDir().resolve(MODEL).resolve(Long.toString(v - 3)));
      }
      if (v == 100 || v == swaps) {
        double open = settledOpenModels(system);
        long rss = settledRss();
        if (v == 100) {
          rssAt100 = rss;
          openAt100 = open;
        } else {
          return new Result(swaps, rssAt100, rss, openAt100, open);
        }
      }
    }
    throw new IllegalArgumentException("swaps must be at least 100, got " + swaps);
  }

  /** Open models once the retired versions closed (they close when their last request ends). */
  private static double settledOpenModels(StandaloneHarness system) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    double open;
    while ((open = Faults.gauge(system.apiPort(), "modelsync_models_open")) > 2
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return open;
  }

  private static long settledRss() throws Exception {
    System.gc();
    Thread.sleep(500);
    return Faults.rssKb();
  }

  static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
