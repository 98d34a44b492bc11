package dev.modelsync.standalone.bench;

import dev.modelsync.standalone.StandaloneHarness;
import dev.modelsync.standalone.faults.SwapStorm;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

/**
 * The full-size swap storm of issue 5: infer load on N connections (default 32), 20 s without
 * swaps, then S seconds (default 60) with a new version saved every 200 ms. Prints the counts and
 * both p99s.
 *
 * <pre>mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.SwapStormBenchmark [-Dexec.args="60 32"]</pre>
 */
public final class SwapStormBenchmark {
  private SwapStormBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    try (var system =
        StandaloneHarness.start(Files.createTempDirectory("modelsync-storm"), Map.of())) {
      SwapStorm.Result r =
          SwapStorm.run(
              system, connections, Duration.ofSeconds(20), Duration.ofSeconds(seconds), 200);
      System.out.println(connections + " connections; " + r.describe());
    }
  }
}
