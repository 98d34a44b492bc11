package dev.modelsync.api.bench;

import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Prints gRPC ModelInfer throughput, latency and the server's CPU per request for a 1x4 FP32 input
 * (the affine demo model) and a 1x3x224x224 FP32 input (channel means), the api in this JVM and
 * {@link GrpcLoadDriver} in a child JVM, so that this process's CPU time is the server's alone.
 *
 * <p>{@code mvn -q -B -o -pl api exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.modelsync.api.bench.GrpcBenchmark [-Dexec.args="SECONDS CONCURRENCY"]}
 */
public final class GrpcBenchmark {
  private GrpcBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    Path store = Files.createTempDirectory("modelsync-grpc-bench");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.onFreePort().start();
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      ApiConfig config =
          ApiConfig.from(
              Map.of(
                  "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                  "MODELSYNC_STORE_DIR", store.toString(),
                  "MODELSYNC_PORT", "0",
                  "MODELSYNC_GRPC_PORT", "0",
                  "MODELSYNC_INSTANCE_ID", "grpc-bench"));
      Api api = Api.start(vertx, config).await(60, TimeUnit.SECONDS);
      EventCodec codec = new EventCodec(URI.create("/modelsync/bench"));
      publish(producer, codec, store, "small", OnnxModelWriter.affine(1f));
      publish(producer, codec, store, "image", OnnxModelWriter.channelMeans(3, 224, 224));
      for (var run : List.of(new long[] {1, 4}, new long[] {1, 3, 224, 224})) {
        String model = run.length == 2 ? "small" : "image";
        awaitServing(api.grpcPort(), model, run);
        String shape =
            String.join("x", java.util.Arrays.stream(run).mapToObj(Long::toString).toList());
        driver(api.grpcPort(), model, shape, 3, concurrency); // warm-up
        // the broker and the consumer live in this JVM too: their idle CPU is taken off
        long idleStart = cpuNanos();
        Thread.sleep(3_000);
        double idlePerSecond = (cpuNanos() - idleStart) / 3.0;
        long cpu = cpuNanos();
        Map<String, String> f = fields(driver(api.grpcPort(), model, shape, seconds, concurrency));
        double wall = Double.parseDouble(f.get("seconds"));
        double serverCpuNanos = cpuNanos() - cpu - idlePerSecond * wall;
        long requests = Long.parseLong(f.get("requests"));
        System.out.printf(
            "gRPC %-12s c=%d: %.0f req/s, p50 %s ms, p99 %s ms, %s errors, server CPU %.1f µs/request"
                + " (idle %.0f ms/s taken off)%n",
            shape,
            concurrency,
            requests / wall,
            f.get("p50_ms"),
            f.get("p99_ms"),
            f.get("errors"),
            serverCpuNanos / 1000 / requests,
            idlePerSecond / 1e6);
      }
      api.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static Map<String, String> fields(String line) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String kv : line.trim().split(" ")) {
      int eq = kv.indexOf('=');
      out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }

  /** Runs {@link GrpcLoadDriver} in a child JVM; its result line. */
  static String driver(int port, String model, String shape, int seconds, int concurrency)
      throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                GrpcLoadDriver.class.getName(),
                "127.0.0.1",
                Integer.toString(port),
                model,
                shape,
                Integer.toString(seconds),
                Integer.toString(concurrency))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("the load driver failed: " + out);
    }
    return out.lines().filter(l -> l.startsWith("requests=")).reduce((a, b) -> b).orElseThrow();
  }

  private static void awaitServing(int port, String model, long[] shape) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          ClientCalls.blockingUnaryCall(
              channel,
              GrpcLoadDriver.MODEL_INFER,
              CallOptions.DEFAULT,
              GrpcLoadDriver.request(model, shape));
          return;
        } catch (RuntimeException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(20);
        }
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void publish(
      KafkaProducer<String, byte[]> producer,
      EventCodec codec,
      Path store,
      String name,
      byte[] onnx)
      throws Exception {
    Path dir = store.resolve(name).resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), onnx);
    ModelSaved saved =
        new ModelSaved(
            name,
            1,
            Digests.ofDirectory(dir),
            onnx.length,
            "OnnxRuntime",
            List.of(new ModelSaved.FileEntry("model.onnx", onnx.length, "")),
            name + "/1",
            null,
            Instant.now(),
            null);
    producer
        .send(new ProducerRecord<>(Topics.MODEL_EVENTS, name, codec.encode(saved)))
        .get(10, TimeUnit.SECONDS);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Map<String, Object> props =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
