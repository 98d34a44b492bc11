package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.BucketConfig;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.ObjectLocation;
import dev.modelsync.files.Trees;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.s3.S3Proxy;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** A replica with neither the store nor the agent: every version comes from the bucket. */
class BucketLoadTest {
  static EmbeddedKafka kafka;
  static S3Proxy s3;
  Vertx vertx;
  Harness h;

  @TempDir Path cache;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.onFreePort().start();
    s3 = S3Proxy.onFreePort().start().createBucket("models");
    S3Proxy.useCredentials();
  }

  @AfterAll
  static void stopAll() {
    s3.close();
    kafka.close();
  }

  @BeforeEach
  void harness() throws Exception {
    vertx = Vertx.vertx();
    h = new Harness(kafka, vertx);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Api bucketReplica() throws Exception {
    return h.startApi(
        Map.of(
            "MODELSYNC_STORE_DIR", "",
            "MODELSYNC_S3_BUCKET", "models",
            "MODELSYNC_S3_ENDPOINT", s3.endpoint().toString(),
            "MODELSYNC_S3_PATH_STYLE", "true",
            "MODELSYNC_S3_PREFIX", "replica/",
            "MODELSYNC_CACHE_DIR", cache.toString()));
  }

  /**
   * Writes a version, uploads it as the agent does (files, then the manifest object), removes the
   * store copy and returns its event; {@code tamper} flips a byte of the uploaded model.
   */
  private ModelSaved uploaded(String model, long version, float scale, boolean tamper)
      throws Exception {
    ModelSaved saved = h.write(model, version, OnnxModelWriter.affine(scale), null);
    BucketConfig config =
        new BucketConfig("models", Optional.of(s3.endpoint()), "us-east-1", true, "replica/");
    ObjectLocation location = config.location(model, version);
    byte[] onnx = Files.readAllBytes(h.store.resolve(saved.artifact()).resolve("model.onnx"));
    if (tamper) {
      onnx[onnx.length - 1] ^= 1;
    }
    try (S3Client client = s3.client()) {
      client.putObject(
          PutObjectRequest.builder().bucket("models").key(location.key("model.onnx")).build(),
          RequestBody.fromBytes(onnx));
      client.putObject(
          PutObjectRequest.builder().bucket("models").key(location.manifestKey()).build(),
          RequestBody.fromBytes(Json.newMapper().writeValueAsBytes(saved)));
    }
    Trees.delete(h.store.resolve(model));
    return saved.withObjectLocation(location.toString());
  }

  @Test
  @DisplayName("a replica reading only from the bucket loads a saved version and serves it")
  void servesFromTheBucket() throws Exception {
    Api api = bucketReplica();
    ModelSaved saved = uploaded("m", 1, 2f, false);
    h.publish(saved);
    h.awaitAnswer(api, "m", 2f);
    assertTrue(Files.isRegularFile(cache.resolve("m/1/model.onnx")));
    h.awaitStatus(
        "m v1 activated",
        s -> s.type().equals(EventTypes.ACTIVATED) && s.digest().equals(saved.digest()));
  }

  @Test
  @DisplayName("a tampered object in the bucket is refused; the version before keeps serving")
  void tamperedObjectRefused() throws Exception {
    Api api = bucketReplica();
    h.publish(uploaded("m", 1, 2f, false));
    h.awaitAnswer(api, "m", 2f);
    h.publish(uploaded("m", 2, 5f, true));
    ModelStatus failed =
        h.awaitStatus(
            "m v2 load_failed", s -> s.type().equals(EventTypes.LOAD_FAILED) && s.version() == 2);
    assertTrue(failed.reason().contains("digest mismatch"), failed.reason());
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(api, "m")));
    assertTrue(Files.notExists(cache.resolve("m/2")), "nothing unverified stays in the cache");
  }
}
