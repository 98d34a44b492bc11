package dev.modelsync.standalone.bench;

import dev.modelsync.standalone.StandaloneHarness;
import dev.modelsync.standalone.faults.NativeMemory;
import java.nio.file.Files;
import java.util.Map;

/**
 * 1,000 swaps (or N) of a 2.8 MB model through the whole system in this process; prints RSS after
 * swap 100 and after the last, and the api's open models (modelsync_models_open) at both.
 *
 * <pre>mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.NativeMemoryBenchmark [-Dexec.args=1000]</pre>
 */
public final class NativeMemoryBenchmark {
  private NativeMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int swaps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    try (var system =
        StandaloneHarness.start(
            Files.createTempDirectory("modelsync-memory"), Map.of("MODELSYNC_QUIET_MS", "100"))) {
      System.out.println(NativeMemory.run(system, swaps).describe());
    }
  }
}
