package dev.modelsync.api;

import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.Json;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the integration tests share: a store directory the test writes real ONNX models into, the
 * events the agent would publish for them, and an api started against the embedded broker.
 */
final class Harness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String TOKEN = "test-admin-token";

  final EmbeddedKafka kafka;
  final Vertx vertx;
  final Path store;
  final String eventsTopic = "events-" + UUID.randomUUID();
  final String statusTopic = "status-" + UUID.randomUUID();
  final WebClient client;
  private final EventCodec codec = new EventCodec(URI.create("/modelsync/test"));
  private final KafkaProducer<String, byte[]> producer;
  private final List<Api> apis = new ArrayList<>();
  private final TopicReader<ModelStatus> statusReader;
  private final boolean ownsVertx;

  /** A harness on the caller's Vert.x, which the caller closes. */
  Harness(EmbeddedKafka kafka, Vertx vertx) throws IOException {
    this(kafka, vertx, false);
  }

  /** A harness on a Vert.x of its own, closed with it ({@link HarnessExtension}). */
  static Harness open(EmbeddedKafka kafka) throws IOException {
    return new Harness(kafka, Vertx.vertx(), true);
  }

  private Harness(EmbeddedKafka kafka, Vertx vertx, boolean ownsVertx) throws IOException {
    this.kafka = kafka;
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.store = Files.createTempDirectory("modelsync-store");
    this.client = WebClient.create(vertx);
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    statusReader =
        new TopicReader<>(
            kafka.bootstrapServers(), statusTopic, v -> (ModelStatus) codec.decode(v));
  }

  ApiConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("MODELSYNC_STORE_DIR", store.toString());
    env.put("MODELSYNC_EVENTS_TOPIC", eventsTopic);
    env.put("MODELSYNC_STATUS_TOPIC", statusTopic);
    env.put("MODELSYNC_PORT", "0");
    env.put("MODELSYNC_GRPC_PORT", "0");
    env.put("MODELSYNC_INSTANCE_ID", "test-" + apis.size());
    env.put("MODELSYNC_ADMIN_TOKEN", TOKEN);
    env.put("MODELSYNC_HTTP_INSTANCES", "1");
    env.put("MODELSYNC_INFER_THREADS", "2");
    env.putAll(overrides);
    return ApiConfig.from(env);
  }

  /** Starts an api and waits until it is ready. */
  Api startApi(Map<String, String> overrides) throws Exception {
    Api api = Api.start(vertx, config(overrides)).await(WAIT.toSeconds(), TimeUnit.SECONDS);
    apis.add(api);
    eventually("api ready", api::isReady);
    return api;
  }

  Api startApi() throws Exception {
    return startApi(Map.of());
  }

  /** Closes an api started here (a replica restart, with {@link #startApi} after). */
  void stopApi(Api api) throws Exception {
    apis.remove(api);
    api.close().await(30, TimeUnit.SECONDS);
  }

  /**
   * Writes {@code affine(scale)} as {@code <store>/<name>/<version>/model.onnx} and publishes it.
   */
  ModelSaved save(String name, long version, float scale) throws Exception {
    return save(name, version, OnnxModelWriter.affine(scale));
  }

  ModelSaved save(String name, long version, byte[] onnx) throws Exception {
    ModelSaved saved = write(name, version, onnx, null);
    publish(saved);
    return saved;
  }

  /**
   * Writes {@code onnx} as {@code version} and publishes it with a model.json of the engine, the
   * file and {@code fields} (JSON members such as {@code "gate": {...}}, or null), parsed as the
   * agent parses model.json.
   */
  ModelSaved saveWithManifest(String name, long version, byte[] onnx, String fields)
      throws Exception {
    ModelSaved plain = write(name, version, onnx, null);
    String json =
        "{\"engine\": \"OnnxRuntime\", \"file\": \"model.onnx\""
            + (fields == null ? "" : ", " + fields)
            + "}";
    ModelSaved saved =
        new ModelSaved(
            plain.model(),
            plain.version(),
            plain.digest(),
            plain.size(),
            plain.engine(),
            plain.files(),
            plain.artifact(),
            Json.newMapper().readValue(json, Manifest.class),
            plain.savedAt(),
            null);
    publish(saved);
    return saved;
  }

  /** Writes the files and builds the event without publishing it. */
  ModelSaved write(String name, long version, byte[] onnx, String digest) throws IOException {
    Path dir = store.resolve(name).resolve(Long.toString(version));
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), onnx);
    return new ModelSaved(
        name,
        version,
        digest != null ? digest : Digests.ofDirectory(dir),
        onnx.length,
        "OnnxRuntime",
        List.of(new ModelSaved.FileEntry("model.onnx", onnx.length, "")),
        name + "/" + version,
        new Manifest("OnnxRuntime", "model.onnx", null, null, null, null, null, null),
        Instant.now(),
        null);
  }

  void delete(String name, long version, String digest) throws Exception {
    publish(new ModelDeleted(name, version, digest, Instant.now()));
  }

  void publish(ModelEvent event) throws Exception {
    publish(event, codec);
  }

  void publish(ModelEvent event, EventCodec with) throws Exception {
    publishRecord(event.model(), with.encode(event));
  }

  /** The record value {@link #publish} would send (to re-produce the same bytes later). */
  byte[] encode(ModelEvent event) {
    return codec.encode(event);
  }

  /** Publishes a record value as it is: the same bytes twice are one event delivered twice. */
  void publishRecord(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(eventsTopic, key, value)).get(10, TimeUnit.SECONDS);
  }

  EventCodec codec() {
    return codec;
  }

  /** Every status event published so far, read by one consumer kept for the harness's life. */
  List<ModelStatus> statuses() {
    return statusReader.readToEnd(Duration.ofSeconds(10));
  }

  ModelStatus awaitStatus(String what, Predicate<ModelStatus> match) {
    try {
      return statusReader.await(match, WAIT);
    } catch (AssertionError e) {
      throw new AssertionError("waiting for " + what + ": " + e.getMessage(), e);
    }
  }

  HttpResponse<Buffer> get(Api api, String path) throws Exception {
    return client.get(api.httpPort(), "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> post(Api api, String path, Object body) throws Exception {
    var request = client.post(api.httpPort(), "127.0.0.1", path);
    var sent =
        body == null
            ? request.send()
            : body instanceof Buffer b
                ? request.sendBuffer(b)
                : request.sendBuffer(Buffer.buffer(body.toString()));
    return sent.await(10, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> admin(Api api, String path, Object body, String token) throws Exception {
    var request = client.post(api.httpPort(), "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    var sent = body == null ? request.send() : request.sendBuffer(Buffer.buffer(body.toString()));
    return sent.await(10, TimeUnit.SECONDS);
  }

  static JsonObject inferBody(float... x) {
    JsonArray data = new JsonArray();
    for (float v : x) {
      data.add(v);
    }
    return new JsonObject()
        .put(
            "inputs",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "input")
                        .put("shape", new JsonArray().add(x.length / 4).add(4))
                        .put("datatype", "FP32")
                        .put("data", data)));
  }

  /** The first output of {@code POST /v2/models/{m}/infer} on {@code [1, 2, 3, 4]}. */
  JsonArray infer(Api api, String model) throws Exception {
    var response = post(api, "/v2/models/" + model + "/infer", inferBody(1, 2, 3, 4));
    if (response.statusCode() != 200) {
      throw new AssertionError(response.statusCode() + " " + response.bodyAsString());
    }
    return response
        .bodyAsJsonObject()
        .getJsonArray("outputs")
        .getJsonObject(0)
        .getJsonArray("data");
  }

  /** The answer of affine(scale) to [1, 2, 3, 4]. */
  static JsonArray expected(float scale) {
    return new JsonArray().add(10f * scale).add(11f * scale).add(12f * scale);
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Waits until {@code POST infer} answers affine(scale)'s numbers. */
  void awaitAnswer(Api api, String model, float scale) throws InterruptedException {
    eventually(
        model + " answering with scale " + scale,
        () -> {
          try {
            return numbers(infer(api, model)).equals(numbers(expected(scale)));
          } catch (Exception | AssertionError e) {
            return false;
          }
        });
  }

  static List<Double> numbers(JsonArray a) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(((Number) a.getValue(i)).doubleValue());
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    for (Api api : apis) {
      api.close().await(30, TimeUnit.SECONDS);
    }
    producer.close(Duration.ofSeconds(5));
    statusReader.close();
    client.close();
    if (!apis.isEmpty()) {
      eventually(
          "no api thread left behind, still running: " + apiThreads(),
          () -> apiThreads().isEmpty());
    }
    if (ownsVertx) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Threads an api starts: consumer, status sender, closer, inference, load pool, producer. */
  static List<String> apiThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("modelsync-") || n.contains("modelsync-api-status"))
        .toList();
  }
}
