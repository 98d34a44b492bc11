package dev.modelsync.api.bench;

import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.Json;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a shadow costs the served path: req/s and p99 of {@code POST /v2/models/{m}/infer} on a
 * model without a rollout and on one whose new version shadows it (every request copied to the
 * candidate on the shadow thread), the same model on both, in alternating wrk rounds of one run.
 *
 * <p>{@code mvn -q -B -o -pl api exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.modelsync.api.bench.ShadowBenchmark [-Dexec.args="10s 32"]}
 */
public final class ShadowBenchmark {
  private static final int ROUNDS = 3;
  private static final int HIDDEN = 256;

  private ShadowBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    String duration = args.length > 0 ? args[0] : "10s";
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    Path store = Files.createTempDirectory("modelsync-bench-store");
    Path body = Files.createTempFile("modelsync-bench", ".json");
    Files.writeString(
        body,
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"data\":[1,2,3,4]}]}");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.onFreePort().start();
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      EventCodec codec = new EventCodec(URI.create("/modelsync/bench"));
      ApiConfig config =
          ApiConfig.from(
              Map.of(
                  "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                  "MODELSYNC_STORE_DIR", store.toString(),
                  "MODELSYNC_PORT", "0",
                  "MODELSYNC_GRPC_PORT", "0",
                  "MODELSYNC_INSTANCE_ID", "bench"));
      Api api = Api.start(vertx, config).await(60, TimeUnit.SECONDS);
      WebClient client = WebClient.create(vertx);
      byte[] model = OnnxModelWriter.withHiddenLayer(HIDDEN, 7);
      publish(producer, codec, store, "plain", 1, model, null);
      publish(producer, codec, store, "shadowed", 1, model, null);
      awaitVersion(client, api.httpPort(), "plain", "1", body);
      awaitVersion(client, api.httpPort(), "shadowed", "1", body);
      publish(producer, codec, store, "shadowed", 2, model, "{\"policy\": \"shadow\"}");
      awaitRollout(client, api.httpPort());

      Wrk.run(api.httpPort(), "/v2/models/plain/infer", body, Map.of(), "3s", connections);
      Wrk.run(api.httpPort(), "/v2/models/shadowed/infer", body, Map.of(), "3s", connections);
      List<Wrk.Result> plain = new ArrayList<>();
      List<Wrk.Result> shadowed = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        plain.add(
            Wrk.run(
                api.httpPort(), "/v2/models/plain/infer", body, Map.of(), duration, connections));
        shadowed.add(
            Wrk.run(
                api.httpPort(),
                "/v2/models/shadowed/infer",
                body,
                Map.of(),
                duration,
                connections));
      }
      String rollout =
          client
              .get(api.httpPort(), "127.0.0.1", "/v2/repository/models/shadowed/rollout")
              .send()
              .await(10, TimeUnit.SECONDS)
              .bodyAsString();
      System.out.printf(
          "shadow benchmark: %d cores, %s x %d rounds, %d connections, 4->%d->3 ONNX model%n",
          Runtime.getRuntime().availableProcessors(), duration, ROUNDS, connections, HIDDEN);
      for (int round = 0; round < ROUNDS; round++) {
        System.out.printf(
            "round %d: without shadow %.0f req/s p99 %.0f us | with shadow %.0f req/s p99 %.0f us%n",
            round + 1,
            plain.get(round).perSecond(),
            plain.get(round).p99Micros(),
            shadowed.get(round).perSecond(),
            shadowed.get(round).p99Micros());
      }
      System.out.printf(
          "median: without shadow %.0f req/s p99 %.0f us | with shadow %.0f req/s p99 %.0f us%n",
          median(plain, true),
          median(plain, false),
          median(shadowed, true),
          median(shadowed, false));
      System.out.println("shadow rollout after the run: " + rollout);
      api.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static double median(List<Wrk.Result> results, boolean perSecond) {
    return results.stream()
        .mapToDouble(r -> perSecond ? r.perSecond() : r.p99Micros())
        .sorted()
        .toArray()[results.size() / 2];
  }

  private static void awaitVersion(
      WebClient client, int port, String model, String version, Path body) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Buffer request = Buffer.buffer(Files.readAllBytes(body));
    while (System.nanoTime() < deadline) {
      var r =
          client
              .post(port, "127.0.0.1", "/v2/models/" + model + "/infer")
              .sendBuffer(request)
              .await(10, TimeUnit.SECONDS);
      if (r.statusCode() == 200
          && version.equals(r.bodyAsJsonObject().getString("model_version"))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(model + " version " + version + " never answered");
  }

  private static void awaitRollout(WebClient client, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      var r =
          client
              .get(port, "127.0.0.1", "/v2/repository/models/shadowed/rollout")
              .send()
              .await(10, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the shadow never started");
  }

  private static void publish(
      KafkaProducer<String, byte[]> producer,
      EventCodec codec,
      Path store,
      String name,
      long version,
      byte[] onnx,
      String rollout)
      throws Exception {
    Path dir = store.resolve(name).resolve(Long.toString(version));
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), onnx);
    Manifest manifest =
        Json.newMapper()
            .readValue(
                "{\"engine\": \"OnnxRuntime\", \"file\": \"model.onnx\""
                    + (rollout == null ? "" : ", \"rollout\": " + rollout)
                    + "}",
                Manifest.class);
    ModelSaved saved =
        new ModelSaved(
            name,
            version,
            Digests.ofDirectory(dir),
            onnx.length,
            "OnnxRuntime",
            List.of(new ModelSaved.FileEntry("model.onnx", onnx.length, "")),
            name + "/" + version,
            manifest,
            Instant.now(),
            null);
    producer
        .send(
            new ProducerRecord<>(
                dev.modelsync.events.Topics.MODEL_EVENTS, name, codec.encode(saved)))
        .get(10, TimeUnit.SECONDS);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
