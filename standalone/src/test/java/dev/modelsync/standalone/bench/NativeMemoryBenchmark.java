package dev.modelsync.standalone.bench;

import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.standalone.Dockerfiles;
import dev.modelsync.standalone.faults.NativeMemory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * 1,000 swaps (or N) of a 2.8 MB model through a real broker, agent and api, with the api run the
 * way its image runs it: the ENTRYPOINT of {@code api/Dockerfile} and the {@code MALLOC_*}
 * variables its ENV sets, plus {@code -XX:MaxRAM=2g} in place of the container's memory limit
 * (deploy/k8s/api.yaml's 2Gi; the heap is a percentage of it) and NMT to break native memory down.
 * Prints the api's RSS, committed heap, NMT total and open sessions and NDManagers after swap 100
 * and after the last, and the ratio. {@code --bare} runs {@code java -jar} with no flags and no
 * {@code MALLOC_*} instead, for comparison; further arguments {@code -X…} add JVM flags and {@code
 * NAME=value} variables, for trying settings.
 *
 * <pre>mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.NativeMemoryBenchmark [-Dexec.args="1000 --bare"]
 * </pre>
 */
public final class NativeMemoryBenchmark {
  private static final String MAX_RAM = "-XX:MaxRAM=2g";
  private static final String NMT = "-XX:NativeMemoryTracking=summary";

  private NativeMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int swaps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    boolean bare = List.of(args).contains("--bare");
    Path dir = Files.createTempDirectory("modelsync-memory");
    Path models = Files.createDirectories(dir.resolve("models"));
    Path store = Files.createDirectories(dir.resolve("store"));
    int agentPort = freePort();
    int apiPort = freePort();
    List<String> api = Dockerfiles.command("api");
    Map<String, String> apiEnv = new java.util.HashMap<>();
    if (bare) {
      api = List.of(api.get(0), NMT, "-jar", api.get(api.size() - 1));
    } else {
      api = withFlags(api, MAX_RAM, NMT);
      Dockerfiles.env("api")
          .forEach(
              (k, v) -> {
                if (k.startsWith("MALLOC_")) {
                  apiEnv.put(k, v);
                }
              });
    }
    for (String arg : args) {
      if (arg.startsWith("-X")) {
        api = withFlags(api, arg);
      } else if (arg.matches("[A-Z_][A-Z0-9_]*=.*")) {
        apiEnv.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      }
    }
    System.out.println("api: " + String.join(" ", api) + "  env " + apiEnv);
    try (var kafka = EmbeddedKafka.onFreePort().start()) {
      String bootstrap = kafka.bootstrapServers();
      apiEnv.putAll(
          Map.of(
              "KAFKA_BOOTSTRAP_SERVERS",
              bootstrap,
              "MODELSYNC_STORE_DIR",
              store.toString(),
              "MODELSYNC_PORT",
              Integer.toString(apiPort),
              "MODELSYNC_GRPC_PORT",
              "0"));
      Process agentProcess =
          Dockerfiles.start(
              withFlags(Dockerfiles.command("agent"), "-XX:MaxRAM=1g"),
              Map.of(
                  "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                  "MODELSYNC_MODELS_DIR", models.toString(),
                  "MODELSYNC_STORE_DIR", store.toString(),
                  "MODELSYNC_AGENT_PORT", Integer.toString(agentPort),
                  "MODELSYNC_QUIET_MS", "100"),
              dir.resolve("agent.log"));
      Process apiProcess = Dockerfiles.start(api, apiEnv, dir.resolve("api.log"));
      try {
        awaitReady(apiPort, dir);
        var target = new NativeMemory.Target(models, store, apiPort, apiProcess.pid());
        System.out.println(
            NativeMemory.run(target, swaps, s -> System.out.println(s.describe())).describe());
      } finally {
        stop(apiProcess);
        stop(agentProcess);
      }
    }
  }

  /** {@code command} with {@code flags} right after the java executable. */
  private static List<String> withFlags(List<String> command, String... flags) {
    List<String> out = new ArrayList<>(command);
    out.addAll(1, List.of(flags));
    return out;
  }

  private static void awaitReady(int port, Path dir) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/health/live")).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the api did not start; see " + dir.resolve("api.log"));
  }

  private static void stop(Process p) throws InterruptedException {
    p.toHandle().destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  private static int freePort() throws Exception {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
