package dev.modelsync.standalone.bench;

import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import dev.modelsync.testkit.s3.S3Proxy;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A ~40 MB model saved while the agent uploads to a bucket (S3Proxy on loopback, filesystem
 * backend), served by three replicas in one run: one reading the shared store in place (the
 * standalone launcher's api), one fetching from the agent over HTTP, one fetching from the bucket.
 * Printed per replica: save-to-serve (rename of the version directory to {@code GET
 * .../versions/{v}/ready} answering 200) and event-to-serve (the {@code model.saved} record
 * arriving at a consumer to ready: the fetch, verification and load); and the agent's rename to
 * event (snapshot and upload). The agent announces a version only after the upload, so all three
 * replicas' save-to-serve include it.
 *
 * <pre>mvn -q -B -o install -DskipTests
 * mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dmodelsync.s3proxy.jar=standalone/target/s3proxy/s3proxy.jar \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.BucketFetchBenchmark [-Dexec.args="5"]</pre>
 */
public final class BucketFetchBenchmark {
  private static final Duration LIMIT = Duration.ofSeconds(180);
  private static final String[] NAMES = {
    "shared store (reads in place)", "agent HTTP (fetch + cache)", "bucket (fetch + cache)"
  };

  private BucketFetchBenchmark() {}

  public static void main(String[] args) throws Exception {
    int saves = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int warmup = 1;
    Path dir = Files.createTempDirectory("modelsync-bench-bucket");
    Vertx vertx = Vertx.vertx();
    S3Proxy.useCredentials();
    try (S3Proxy s3 = new S3Proxy(dir.resolve("s3"), "127.0.0.1", 0).start()) {
      s3.createBucket("bench");
      Map<String, String> bucketEnv =
          Map.of(
              "MODELSYNC_S3_BUCKET", "bench",
              "MODELSYNC_S3_ENDPOINT", s3.endpoint().toString(),
              "MODELSYNC_S3_PATH_STYLE", "true");
      try (var system = StandaloneHarness.start(dir, bucketEnv);
          Arrivals arrivals = new Arrivals(system.bootstrapServers())) {
        Map<String, String> http = new HashMap<>();
        http.put("MODELSYNC_ARTIFACT_BASE_URL", "http://127.0.0.1:" + system.agentPort());
        Api httpReplica = replica(vertx, system, "http", dir, http);
        Api bucketReplica = replica(vertx, system, "bucket", dir, bucketEnv);
        try {
          int[] ports = {system.apiPort(), httpReplica.httpPort(), bucketReplica.httpPort()};
          run(system, arrivals, ports, saves, warmup);
        } finally {
          httpReplica.close().await(60, TimeUnit.SECONDS);
          bucketReplica.close().await(60, TimeUnit.SECONDS);
        }
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Api replica(
      Vertx vertx, StandaloneHarness system, String id, Path dir, Map<String, String> source)
      throws Exception {
    Map<String, String> env = new HashMap<>(source);
    env.put("KAFKA_BOOTSTRAP_SERVERS", system.bootstrapServers());
    env.put("MODELSYNC_CACHE_DIR", dir.resolve("cache-" + id).toString());
    env.put("MODELSYNC_PORT", "0");
    env.put("MODELSYNC_GRPC_PORT", "0");
    env.put("MODELSYNC_INSTANCE_ID", id);
    env.put("MODELSYNC_HTTP_INSTANCES", "1");
    return Api.start(vertx, ApiConfig.from(env)).await(60, TimeUnit.SECONDS);
  }

  private static void run(
      StandaloneHarness system, Arrivals arrivals, int[] ports, int saves, int warmup)
      throws Exception {
    String name = "bench-bucket";
    double[][] serve = new double[3][saves];
    double[][] fetch = new double[3][saves];
    double[] announce = new double[saves];
    int bytes = 0;
    for (int v = 1; v <= saves + warmup; v++) {
      byte[] onnx = OnnxModelWriter.withHiddenLayer(1_430_000, v);
      bytes = onnx.length;
      long renamed = StandaloneHarness.saveVersion(system.modelsDir(), name, v, onnx);
      int version = v;
      List<CompletableFuture<Long>> ready =
          Arrays.stream(ports)
              .mapToObj(
                  p ->
                      CompletableFuture.supplyAsync(
                          () -> ReadyProbe.awaitReady(p, name, version, LIMIT)))
              .toList();
      long[] at = new long[3];
      for (int i = 0; i < 3; i++) {
        at[i] = ready.get(i).get(180, TimeUnit.SECONDS);
      }
      long arrived = arrivals.await(name, v);
      if (v > warmup) {
        int k = v - warmup - 1;
        announce[k] = (arrived - renamed) / 1e6;
        for (int i = 0; i < 3; i++) {
          serve[i][k] = (at[i] - renamed) / 1e6;
          fetch[i][k] = (at[i] - arrived) / 1e6;
        }
      }
    }
    Arrays.sort(announce);
    System.out.printf(
        Locale.ROOT,
        "model %,d bytes, %d saves: agent rename -> model.saved on the topic (snapshot + upload):"
            + " p50 %7.1f ms  max %7.1f ms%n",
        bytes,
        saves,
        SaveToServeBenchmark.pct(announce, 50),
        announce[saves - 1]);
    for (int i = 0; i < 3; i++) {
      Arrays.sort(serve[i]);
      Arrays.sort(fetch[i]);
      System.out.printf(
          Locale.ROOT,
          "%-30s save-to-serve p50 %7.1f ms  max %7.1f ms | event-to-serve (fetch + load) p50"
              + " %7.1f ms  max %7.1f ms%n",
          NAMES[i],
          SaveToServeBenchmark.pct(serve[i], 50),
          serve[i][saves - 1],
          SaveToServeBenchmark.pct(fetch[i], 50),
          fetch[i][saves - 1]);
    }
  }

  /** When each {@code model.saved} reached a consumer (System.nanoTime()), on its own thread. */
  private static final class Arrivals implements AutoCloseable {
    private final Map<String, Long> at = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    Arrivals(String bootstrap) {
      EventCodec codec = new EventCodec(URI.create("/bench"));
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  ConsumerConfig.GROUP_ID_CONFIG,
                  "bench-" + UUID.randomUUID(),
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest",
                  ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                  StringDeserializer.class,
                  ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                  ByteArrayDeserializer.class));
      consumer.subscribe(List.of(Topics.MODEL_EVENTS));
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                      long now = System.nanoTime();
                      try {
                        if (codec.decode(r.value()) instanceof ModelSaved s) {
                          at.putIfAbsent(s.model() + "/" + s.version(), now);
                        }
                      } catch (Exception e) {
                        // not a model event: not timed
                      }
                    }
                  }
                }
              },
              "bench-arrivals");
      thread.start();
    }

    long await(String model, int version) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      Long t;
      while ((t = at.get(model + "/" + version)) == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no model.saved for " + model + " " + version);
        }
        Thread.sleep(5);
      }
      return t;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(5_000);
    }
  }
}
