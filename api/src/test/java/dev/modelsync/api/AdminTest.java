package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HarnessExtension.class)
class AdminTest {
  Harness h;

  @BeforeEach
  void harness(Harness h) {
    this.h = h;
  }

  @Test
  @DisplayName(
      "roll back, pin a version that was unloaded, unpin; a new save does not override a pin")
  void pinAndRollBack() throws Exception {
    Api api = h.startApi(Map.of("MODELSYNC_KEEP_VERSIONS", "2"));
    h.save("m", 1, 1f);
    h.save("m", 2, 2f);
    h.save("m", 3, 3f);
    h.awaitAnswer(api, "m", 3f);

    var rollback = h.admin(api, "/v2/repository/models/m/rollback", null, Harness.TOKEN);
    assertEquals(200, rollback.statusCode(), rollback.bodyAsString());
    assertEquals("2", rollback.bodyAsJsonObject().getString("version"));
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(api, "m")));

    var pin = h.admin(api, "/v2/repository/models/m/pin", "{\"version\":\"1\"}", Harness.TOKEN);
    assertEquals(200, pin.statusCode(), pin.bodyAsString());
    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "m")));

    h.save("m", 4, 4f);
    h.awaitStatus("v4 loaded", s -> s.type().equals(EventTypes.LOADED) && s.version() == 4);
    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "m")));

    var unpin = h.admin(api, "/v2/repository/models/m/unpin", null, Harness.TOKEN);
    assertEquals(200, unpin.statusCode(), unpin.bodyAsString());
    assertEquals("4", unpin.bodyAsJsonObject().getString("version"));
    assertEquals(Harness.numbers(Harness.expected(4f)), Harness.numbers(h.infer(api, "m")));
  }

  @Test
  @DisplayName("admin calls are refused while no token is configured")
  void refusedWithoutToken() throws Exception {
    Api api = Api.start(h.vertx, withoutToken(h)).await(30, java.util.concurrent.TimeUnit.SECONDS);
    try {
      var r = h.admin(api, "/v2/repository/models/m/rollback", null, "anything-at-all");
      assertEquals(403, r.statusCode());
      assertTrue(r.bodyAsJsonObject().getString("error").contains("MODELSYNC_ADMIN_TOKEN"));
    } finally {
      api.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static ApiConfig withoutToken(Harness h) {
    ApiConfig c = h.config(Map.of());
    return new ApiConfig(
        c.kafka(),
        c.storeDir(),
        c.eventsTopic(),
        c.statusTopic(),
        c.host(),
        0,
        c.instanceId(),
        java.util.Optional.empty(),
        c.keepVersions(),
        c.ortIntraOpThreads(),
        c.inferThreads(),
        c.loadThreads(),
        c.httpInstances(),
        c.maxBodyBytes(),
        c.maxInFlight(),
        c.maxTensorBytes(),
        c.requestTimeoutMs(),
        c.eventKey(),
        c.artifacts(),
        c.grpcPort(),
        c.maxBufferedBytes(),
        c.gate(),
        c.inlineMaxMicros(),
        c.rollout(),
        c.shadowQueue(),
        c.shadowStack(),
        c.loadWarmUpRounds());
  }

  @Test
  @DisplayName("before the catalog is read, readiness and inference answer 503; liveness 200")
  void notReadyBeforeCatalog() throws Exception {
    ApiConfig c = h.config(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
    Api api = Api.start(h.vertx, c).await(30, java.util.concurrent.TimeUnit.SECONDS);
    try {
      var live = h.get(api, "/v2/health/live");
      assertEquals(200, live.statusCode());
      assertEquals(true, live.bodyAsJsonObject().getValue("live"));
      var ready = h.get(api, "/v2/health/ready");
      assertEquals(503, ready.statusCode());
      assertEquals(false, ready.bodyAsJsonObject().getValue("ready"));
      assertTrue(ready.bodyAsJsonObject().getString("error").contains("not ready"));
      var infer = h.post(api, "/v2/models/m/infer", Harness.inferBody(1, 2, 3, 4));
      assertEquals(503, infer.statusCode());
      assertEquals(503, h.get(api, "/v2/models/m").statusCode());
    } finally {
      api.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
