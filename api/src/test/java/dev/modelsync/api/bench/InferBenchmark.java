package dev.modelsync.api.bench;

import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * Prints infer throughput and latency of the api against a bare Vert.x endpoint answering the same
 * JSON (wrk, same run, same machine), and the save-to-serve latency over 50 saves.
 *
 * <p>{@code mvn -q -B -o -pl api exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.modelsync.api.bench.InferBenchmark [-Dexec.args="10s 32 50"]}
 */
public final class InferBenchmark {
  static final String BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  private InferBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    String duration = args.length > 0 ? args[0] : "10s";
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int saves = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    Path store = Files.createTempDirectory("modelsync-bench-store");
    Path script = Files.createTempFile("modelsync-bench", ".lua");
    Files.writeString(script, luaScript());
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.onFreePort().start();
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      EventCodec codec = new EventCodec(URI.create("/modelsync/bench"));
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
      publish(producer, codec, store, "bench", 1, 1f);
      WebClient client = WebClient.create(vertx);
      String answer = awaitAnswer(client, api.httpPort(), 10f);
      HttpServer bare = bareServer(vertx, answer);

      // warm both up, then measure each in turn
      wrk(script, bare.actualPort(), "/v2/models/bench/infer", "3s", connections);
      wrk(script, api.httpPort(), "/v2/models/bench/infer", "3s", connections);
      // alternate rounds so that load from elsewhere on the machine hits both alike
      List<double[]> bares = new ArrayList<>();
      List<double[]> apis = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        bares.add(wrk(script, bare.actualPort(), "/v2/models/bench/infer", duration, connections));
        apis.add(wrk(script, api.httpPort(), "/v2/models/bench/infer", duration, connections));
      }
      double[] b = median(bares);
      double[] a = median(apis);
      List<Long> saveToServe = new ArrayList<>();
      for (int v = 2; v < saves + 2; v++) {
        long started = System.nanoTime();
        publish(producer, codec, store, "bench", v, v);
        awaitAnswer(client, api.httpPort(), 10f * v);
        saveToServe.add((System.nanoTime() - started) / 1_000);
      }
      saveToServe.sort(Long::compare);
      System.out.printf(
          "wrk -t2 -c%d -d%s, %d alternating rounds (median shown), POST 1x4 FP32 infer, affine"
              + " 4->3 ONNX model%n",
          connections, duration, ROUNDS);
      for (int round = 0; round < ROUNDS; round++) {
        System.out.printf(
            "  round %d: bare %.0f req/s, modelsync %.0f req/s%n",
            round + 1, bares.get(round)[0], apis.get(round)[0]);
      }
      System.out.printf(
          "bare vert.x : %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %.0f%n",
          b[0], b[1] / 1000, b[2] / 1000, b[3]);
      System.out.printf(
          "modelsync   : %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %.0f%n",
          a[0], a[1] / 1000, a[2] / 1000, a[3]);
      System.out.printf("ratio       : %.1f%%%n", 100 * a[0] / b[0]);
      double ortMicros = directOrtMicros();
      System.out.printf(
          "direct ONNX Runtime call (same model and 1x4 input, one thread): p50 %.1f us;"
              + " api p50 over HTTP at c%d is %.2f ms, i.e. %.2f ms of HTTP, JSON, queueing and"
              + " hand-off on top%n",
          ortMicros, connections, a[1] / 1000, a[1] / 1000 - ortMicros / 1000);
      System.out.printf(
          "save-to-serve over %d saves (event published -> first new answer): p50 %.1f ms  p99 %.1f"
              + " ms%n",
          saves, pct(saveToServe, 50) / 1000.0, pct(saveToServe, 99) / 1000.0);
      client.close();
      bare.close().await(10, TimeUnit.SECONDS);
      api.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static final int ROUNDS = 3;

  /** The round with the median requests/s. */
  private static double[] median(List<double[]> rounds) {
    List<double[]> sorted = new ArrayList<>(rounds);
    sorted.sort((x, y) -> Double.compare(x[0], y[0]));
    return sorted.get(sorted.size() / 2);
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** p50 of OrtSession.run on the benchmark's model, with no HTTP, JSON or DJL around it. */
  private static double directOrtMicros() throws Exception {
    var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    var options = new ai.onnxruntime.OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    try (var session = env.createSession(OnnxModelWriter.affine(1f), options)) {
      float[][] input = {{1, 2, 3, 4}};
      long[] nanos = new long[20_000];
      for (int i = -20_000; i < nanos.length; i++) {
        long started = System.nanoTime();
        try (var tensor = ai.onnxruntime.OnnxTensor.createTensor(env, input);
            var result = session.run(Map.of("input", tensor))) {
          result.get(0);
        }
        if (i >= 0) {
          nanos[i] = System.nanoTime() - started;
        }
      }
      java.util.Arrays.sort(nanos);
      return nanos[nanos.length / 2] / 1000.0;
    }
  }

  private static long pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static HttpServer bareServer(Vertx vertx, String answer) {
    Buffer body = Buffer.buffer(answer);
    return vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        b ->
                            req.response().putHeader("content-type", "application/json").end(body)))
        .listen(0)
        .await();
  }

  private static String awaitAnswer(WebClient client, int port, float first) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String expected = "[" + first + ",";
    while (System.nanoTime() < deadline) {
      var r =
          client
              .post(port, "127.0.0.1", "/v2/models/bench/infer")
              .sendBuffer(Buffer.buffer(BODY))
              .await(10, TimeUnit.SECONDS);
      if (r.statusCode() == 200 && r.bodyAsString().contains(expected)) {
        return r.bodyAsString();
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("the api never answered with " + first);
  }

  private static void publish(
      KafkaProducer<String, byte[]> producer,
      EventCodec codec,
      Path store,
      String name,
      long version,
      float scale)
      throws Exception {
    byte[] onnx = OnnxModelWriter.affine(scale);
    Path dir = store.resolve(name).resolve(Long.toString(version));
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), onnx);
    ModelSaved saved =
        new ModelSaved(
            name,
            version,
            Digests.ofDirectory(dir),
            onnx.length,
            "OnnxRuntime",
            List.of(new ModelSaved.FileEntry("model.onnx", onnx.length, "")),
            name + "/" + version,
            null,
            Instant.now(),
            null);
    producer
        .send(
            new ProducerRecord<>(
                dev.modelsync.events.Topics.MODEL_EVENTS, name, codec.encode(saved)))
        .get(10, TimeUnit.SECONDS);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** requests/s, p50 µs, p99 µs, errors. */
  private static double[] wrk(Path script, int port, String path, String duration, int connections)
      throws Exception {
    Process p =
        new ProcessBuilder(
                "wrk",
                "-t2",
                "-c" + connections,
                "-d" + duration,
                "-s",
                script.toString(),
                "http://127.0.0.1:" + port + path)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT ")) {
        String[] f = line.trim().split(" ");
        return new double[] {
          Double.parseDouble(f[1]),
          Double.parseDouble(f[2]),
          Double.parseDouble(f[3]),
          Double.parseDouble(f[4])
        };
      }
    }
    throw new IllegalStateException("no RESULT line from wrk: " + out);
  }

  private static String luaScript() {
    return """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.body = '%s'
        done = function(summary, latency, requests)
          local errors = summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.status + summary.errors.timeout
          io.write(string.format("RESULT %%.1f %%d %%d %%d\\n",
            summary.requests / (summary.duration / 1e6),
            latency:percentile(50), latency:percentile(99), errors))
        end
        """
        .formatted(BODY);
  }
}
