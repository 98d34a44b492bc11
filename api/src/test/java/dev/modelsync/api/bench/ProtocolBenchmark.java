package dev.modelsync.api.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.onnx.TypedModels;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Prints req/s, latency and the api's CPU per request for the same inference sent each way the
 * server takes it, for a 1x4 FP32 input and a 1x3x224x224 FP32 image, in one run. The load comes
 * from another process (wrk), so the CPU this JVM spends while a leg runs is the server's (the
 * embedded broker idles meanwhile).
 *
 * <p>Each protocol is a {@link Leg}: KServe JSON and Triton's binary tensors over HTTP (wrk), and
 * gRPC ModelInfer with raw contents ({@link GrpcLoadDriver} in a child JVM).
 *
 * <p>{@code mvn -q -B -o -pl api exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.modelsync.api.bench.ProtocolBenchmark [-Dexec.args="10s 16"]}
 */
public final class ProtocolBenchmark {
  private static final int ROUNDS = 3;

  private ProtocolBenchmark() {}

  /** One way of sending an input to the api. */
  interface Leg {
    String name();

    /** Loads the api with {@code input} (shape, FP32 values) for {@code duration}. */
    Wrk.Result run(Api api, String model, long[] shape, float[] input, String duration, int conns)
        throws Exception;
  }

  /** The legs to run. */
  static List<Leg> legs() {
    return List.of(new HttpLegs.Json(), new HttpLegs.Binary(), new GrpcLeg());
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    String duration = args.length > 0 ? args[0] : "10s";
    int conns = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    Path store = Files.createTempDirectory("modelsync-bench-store");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.onFreePort().start();
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      ApiConfig config =
          ApiConfig.from(
              Map.of(
                  "KAFKA_BOOTSTRAP_SERVERS",
                  kafka.bootstrapServers(),
                  "MODELSYNC_STORE_DIR",
                  store.toString(),
                  "MODELSYNC_PORT",
                  "0",
                  "MODELSYNC_GRPC_PORT",
                  "0",
                  "MODELSYNC_INSTANCE_ID",
                  "bench"));
      Api api = Api.start(vertx, config).await(60, TimeUnit.SECONDS);
      publish(producer, store, "small", OnnxModelWriter.affine(1f));
      publish(producer, store, "image", TypedModels.image224());
      float[] small = {1, 2, 3, 4};
      float[] image = new float[3 * 224 * 224];
      var random = new java.util.Random(1);
      for (int i = 0; i < image.length; i++) {
        image[i] = random.nextFloat();
      }
      List<Leg> legs = legs();
      awaitServing(api, legs.get(0), "small", new long[] {1, 4}, small);
      awaitServing(api, legs.get(0), "image", new long[] {1, 3, 224, 224}, image);
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      // alternate rounds so that load from elsewhere on the machine hits every leg alike
      Map<String, List<double[]>> rounds = new java.util.LinkedHashMap<>();
      for (int round = 0; round < ROUNDS; round++) {
        for (Object[] c :
            List.of(
                new Object[] {"small", new long[] {1, 4}, small, "1x4"},
                new Object[] {"image", new long[] {1, 3, 224, 224}, image, "1x3x224x224"})) {
          for (Leg leg : legs) {
            leg.run(api, (String) c[0], (long[]) c[1], (float[]) c[2], "2s", conns); // warm-up
            long cpu = os.getProcessCpuTime();
            Wrk.Result r =
                leg.run(api, (String) c[0], (long[]) c[1], (float[]) c[2], duration, conns);
            double cpuPerRequest = (os.getProcessCpuTime() - cpu) / 1000.0 / r.requests();
            rounds
                .computeIfAbsent(
                    String.format("%-12s %-8s", c[3], leg.name()), k -> new ArrayList<>())
                .add(
                    new double[] {
                      r.perSecond(), r.p50Micros(), r.p99Micros(), cpuPerRequest, r.errors()
                    });
          }
        }
      }
      List<String> lines = new ArrayList<>();
      rounds.forEach(
          (key, runs) -> {
            List<double[]> sorted = new ArrayList<>(runs);
            sorted.sort((x, y) -> Double.compare(x[0], y[0]));
            double[] m = sorted.get(sorted.size() / 2);
            StringBuilder all = new StringBuilder();
            runs.forEach(x -> all.append(String.format(" %.0f", x[0])));
            lines.add(
                String.format(
                    "%s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  server CPU %8.1f us/req"
                        + "  errors %.0f  (rounds:%s req/s)",
                    key, m[0], m[1] / 1000, m[2] / 1000, m[3], m[4], all));
          });
      System.out.printf(
          "wrk -c%d -d%s per leg (after a 2s warm-up), median of %d alternating rounds, %d cores,"
              + " load average %.1f; model 'small' is the 4->3"
              + " affine ONNX model, 'image' averages each channel of a 1x3x224x224 FP32 image%n",
          conns,
          duration,
          ROUNDS,
          Runtime.getRuntime().availableProcessors(),
          os.getSystemLoadAverage());
      lines.forEach(System.out::println);
      api.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitServing(Api api, Leg leg, String model, long[] shape, float[] input)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Wrk.Result r = leg.run(api, model, shape, input, "1s", 1);
      if (r.errors() == 0 && r.requests() > 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("model " + model + " never served");
  }

  private static void publish(
      KafkaProducer<String, byte[]> producer, Path store, String name, byte[] onnx)
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
    EventCodec codec = new EventCodec(URI.create("/modelsync/bench"));
    producer
        .send(
            new ProducerRecord<>(
                dev.modelsync.events.Topics.MODEL_EVENTS, name, codec.encode(saved)))
        .get(10, TimeUnit.SECONDS);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
