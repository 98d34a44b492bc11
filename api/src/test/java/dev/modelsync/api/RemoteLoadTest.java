package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.agent.http.AgentHttp;
import dev.modelsync.agent.http.ArtifactIndex;
import dev.modelsync.agent.store.StoreHealth;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.KafkaHealth;
import dev.modelsync.events.Digests;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica without the store: versions come over HTTP from the agent's own artifact server (its
 * router, {@code ArtifactHandlers} and {@code ArtifactIndex}, with the artifact token on both
 * sides) over the store the harness writes. What the agent has published is {@link #published}, as
 * its synchronizer would report it.
 */
class RemoteLoadTest {
  private static final String TOKEN = "remote-load-test-artifact-token";
  static EmbeddedKafka kafka;
  Vertx vertx;
  Harness h;
  HttpServer agent;
  PrometheusMeterRegistry registry;

  /** {@code model/version} → the digest the agent published for it. */
  final Map<String, String> published = new ConcurrentHashMap<>();

  @TempDir Path cache;

  @BeforeAll
  static void broker() {
    kafka = EmbeddedKafka.onFreePort().start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    h = new Harness(kafka, vertx);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ArtifactIndex index =
        new ArtifactIndex(h.store, (m, v) -> Optional.ofNullable(published.get(m + "/" + v)));
    agent =
        vertx
            .createHttpServer()
            .requestHandler(
                AgentHttp.router(
                    vertx,
                    () -> new KafkaHealth.Status(true, "test"),
                    () -> new StoreHealth.Status(true, "test"),
                    Optional::empty,
                    Map::of,
                    registry,
                    index,
                    Optional.of(ArtifactToken.of(TOKEN)),
                    "poll"))
            .listen(0)
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
    agent.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    registry.close();
  }

  private Api remoteReplica() throws Exception {
    return h.startApi(
        Map.of(
            "MODELSYNC_STORE_DIR",
            "",
            "MODELSYNC_ARTIFACT_BASE_URL",
            "http://127.0.0.1:" + agent.actualPort(),
            "MODELSYNC_ARTIFACT_TOKEN",
            TOKEN,
            "MODELSYNC_CACHE_DIR",
            cache.toString()));
  }

  /** Writes a version into the store, has the agent publish {@code agentDigest}, then the event. */
  private void publish(ModelSaved event, String agentDigest) throws Exception {
    published.put(event.model() + "/" + event.version(), agentDigest);
    h.publish(event);
  }

  @Test
  @DisplayName("a replica without a store directory fetches a saved version and serves it")
  void fetchesAndServes() throws Exception {
    Api api = remoteReplica();
    ModelSaved saved = h.write("m", 1, OnnxModelWriter.affine(2f), null);
    publish(saved, saved.digest());
    h.awaitAnswer(api, "m", 2f);
    assertTrue(Files.isRegularFile(cache.resolve("m/1/model.onnx")));
    ModelStatus activated =
        h.awaitStatus(
            "m v1 activated",
            s -> s.type().equals(EventTypes.ACTIVATED) && s.digest().equals(saved.digest()));
    assertEquals("m", activated.model());
  }

  @Test
  @DisplayName(
      "a version whose bytes differ from the event's digest is refused; v1 keeps serving (the agent"
          + " serves the bytes it published, the event names other ones)")
  void digestMismatchRefused() throws Exception {
    Api api = remoteReplica();
    ModelSaved v1 = h.write("m", 1, OnnxModelWriter.affine(2f), null);
    publish(v1, v1.digest());
    h.awaitAnswer(api, "m", 2f);
    ModelSaved wrong = h.write("m", 2, OnnxModelWriter.affine(5f), "sha256:" + "ab".repeat(32));
    publish(wrong, Digests.ofDirectory(h.store.resolve("m/2")));
    ModelStatus failed =
        h.awaitStatus(
            "m v2 load_failed", s -> s.type().equals(EventTypes.LOAD_FAILED) && s.version() == 2);
    assertTrue(failed.reason().contains("digest mismatch"), failed.reason());
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(api, "m")));
    assertTrue(Files.notExists(cache.resolve("m/2")), "nothing unverified stays in the cache");
    try (var left = Files.list(cache.resolve("m"))) {
      assertEquals(1, left.count(), "no partial download is left");
    }
  }
}
