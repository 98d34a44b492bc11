package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica without the store: versions come over HTTP from an agent-like file server. */
class RemoteLoadTest {
  static EmbeddedKafka kafka;
  Vertx vertx;
  Harness h;
  HttpServer files;

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
    // the agent's /artifacts/{model}/{version}/{file}, minus its checks: the store as it is
    files =
        vertx
            .createHttpServer()
            .requestHandler(
                r -> {
                  Path file = h.store.resolve(r.path().substring("/artifacts/".length()));
                  if (Files.isRegularFile(file)) {
                    r.response().sendFile(file.toString());
                  } else {
                    r.response().setStatusCode(404).end();
                  }
                })
            .listen(0)
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
    files.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Api remoteReplica() throws Exception {
    return h.startApi(
        Map.of(
            "MODELSYNC_STORE_DIR",
            "",
            "MODELSYNC_ARTIFACT_BASE_URL",
            "http://127.0.0.1:" + files.actualPort(),
            "MODELSYNC_CACHE_DIR",
            cache.toString()));
  }

  @Test
  @DisplayName("a replica without a store directory fetches a saved version and serves it")
  void fetchesAndServes() throws Exception {
    Api api = remoteReplica();
    ModelSaved saved = h.save("m", 1, 2f);
    h.awaitAnswer(api, "m", 2f);
    assertTrue(Files.isRegularFile(cache.resolve("m/1/model.onnx")));
    ModelStatus activated =
        h.awaitStatus(
            "m v1 activated",
            s -> s.type().equals(EventTypes.ACTIVATED) && s.digest().equals(saved.digest()));
    assertEquals("m", activated.model());
  }

  @Test
  @DisplayName("a version whose bytes differ from the event's digest is refused; v1 keeps serving")
  void digestMismatchRefused() throws Exception {
    Api api = remoteReplica();
    h.save("m", 1, 2f);
    h.awaitAnswer(api, "m", 2f);
    ModelSaved wrong = h.write("m", 2, OnnxModelWriter.affine(5f), "sha256:" + "ab".repeat(32));
    h.publish(wrong);
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
