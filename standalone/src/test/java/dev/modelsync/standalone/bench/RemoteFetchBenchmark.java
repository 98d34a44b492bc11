package dev.modelsync.standalone.bench;

import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Save-to-serve latency on a replica that shares the store (reads it in place) next to one that
 * fetches over HTTP from the agent's {@code /artifacts} into its own cache, for a small and a ~42
 * MB model. One JVM on loopback: embedded Kafka, the agent and the shared-store api (the standalone
 * launcher) plus a second api with only {@code MODELSYNC_ARTIFACT_BASE_URL}. The clock runs from
 * the rename of the version directory to the replica answering {@code GET
 * /v2/models/{m}/versions/{v}/ready} with 200.
 *
 * <pre>mvn -q -B -o install -DskipTests
 * mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.RemoteFetchBenchmark [-Dexec.args="20 5"]</pre>
 */
public final class RemoteFetchBenchmark {
  private static final Duration LIMIT = Duration.ofSeconds(120);

  private RemoteFetchBenchmark() {}

  public static void main(String[] args) throws Exception {
    int smallSaves = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int largeSaves = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("modelsync-bench-remote");
    Vertx vertx = Vertx.vertx();
    try (var system = StandaloneHarness.start(dir)) {
      ApiConfig remoteConfig =
          ApiConfig.from(
              Map.of(
                  "KAFKA_BOOTSTRAP_SERVERS",
                  system.bootstrapServers(),
                  "MODELSYNC_ARTIFACT_BASE_URL",
                  "http://127.0.0.1:" + system.agentPort(),
                  "MODELSYNC_CACHE_DIR",
                  dir.resolve("remote-cache").toString(),
                  "MODELSYNC_PORT",
                  "0",
                  "MODELSYNC_GRPC_PORT",
                  "0",
                  "MODELSYNC_INSTANCE_ID",
                  "remote",
                  "MODELSYNC_HTTP_INSTANCES",
                  "1"));
      Api remote = Api.start(vertx, remoteConfig).await(60, TimeUnit.SECONDS);
      try {
        int[] ports = {system.apiPort(), remote.httpPort()};
        run(system, ports, "small", smallSaves, 3, v -> OnnxModelWriter.affine(v));
        byte[] sample = OnnxModelWriter.withHiddenLayer(1_500_000, 0);
        String large = String.format(Locale.ROOT, "%.0fMB", sample.length / 1e6);
        run(
            system,
            ports,
            large,
            largeSaves,
            1,
            v -> OnnxModelWriter.withHiddenLayer(1_500_000, v));
      } finally {
        remote.close().await(60, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static void run(
      StandaloneHarness system,
      int[] ports,
      String label,
      int saves,
      int warmup,
      IntFunction<byte[]> model)
      throws Exception {
    String name = "bench-" + label.toLowerCase(Locale.ROOT);
    double[][] millis = new double[2][saves];
    int bytes = 0;
    for (int v = 1; v <= saves + warmup; v++) {
      byte[] onnx = model.apply(v);
      bytes = onnx.length;
      long renamed = StandaloneHarness.saveVersion(system.modelsDir(), name, v, onnx);
      int version = v;
      CompletableFuture<Long> shared =
          CompletableFuture.supplyAsync(
              () -> ReadyProbe.awaitReady(ports[0], name, version, LIMIT));
      CompletableFuture<Long> fetched =
          CompletableFuture.supplyAsync(
              () -> ReadyProbe.awaitReady(ports[1], name, version, LIMIT));
      long sharedAt = shared.get(120, TimeUnit.SECONDS);
      long fetchedAt = fetched.get(120, TimeUnit.SECONDS);
      if (v > warmup) {
        millis[0][v - warmup - 1] = (sharedAt - renamed) / 1e6;
        millis[1][v - warmup - 1] = (fetchedAt - renamed) / 1e6;
      }
    }
    String[] names = {"shared store (reads in place)", "remote (HTTP fetch + cache)"};
    for (int i = 0; i < 2; i++) {
      Arrays.sort(millis[i]);
      System.out.printf(
          Locale.ROOT,
          "%-6s model (%,d bytes), %-30s save-to-serve over %d saves: p50 %7.1f ms  max %7.1f ms%n",
          label,
          bytes,
          names[i],
          saves,
          SaveToServeBenchmark.pct(millis[i], 50),
          millis[i][saves - 1]);
    }
  }
}
