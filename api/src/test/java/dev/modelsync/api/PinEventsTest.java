package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.kafka.EmbeddedKafka;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 16: pins and rollbacks are events on Kafka that every replica applies, restarts too. */
@ExtendWith(VertxExtension.class)
class PinEventsTest {
  static EmbeddedKafka kafka;
  Harness h;

  @BeforeAll
  static void broker() {
    kafka = EmbeddedKafka.onFreePort().start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @BeforeEach
  void harness(Vertx vertx) throws Exception {
    h = new Harness(kafka, vertx);
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  @Test
  @DisplayName(
      "a pin on one replica serves on both; a restarted replica is still pinned; a rollback and an"
          + " unpin on the other replica reach both")
  void pinsReachEveryReplica() throws Exception {
    Map<String, String> keepTwo = Map.of("MODELSYNC_KEEP_VERSIONS", "2");
    Api a = h.startApi(keepTwo);
    Api b = h.startApi(keepTwo);
    h.save("m", 1, 1f);
    h.save("m", 2, 2f);
    h.save("m", 3, 3f);
    h.awaitAnswer(a, "m", 3f);
    h.awaitAnswer(b, "m", 3f);

    var pin = h.admin(a, "/v2/repository/models/m/pin", "{\"version\":\"1\"}", Harness.TOKEN);
    assertEquals(200, pin.statusCode(), pin.bodyAsString());
    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(a, "m")));
    h.awaitAnswer(b, "m", 1f);

    h.stopApi(b);
    Api restarted = h.startApi(keepTwo);
    assertEquals(
        Harness.numbers(Harness.expected(1f)),
        Harness.numbers(h.infer(restarted, "m")),
        "a replica rebuilding from the topic applies the pin");

    var unpin = h.admin(restarted, "/v2/repository/models/m/unpin", null, Harness.TOKEN);
    assertEquals(200, unpin.statusCode(), unpin.bodyAsString());
    h.awaitAnswer(a, "m", 3f);
    var rollback = h.admin(restarted, "/v2/repository/models/m/rollback", null, Harness.TOKEN);
    assertEquals(200, rollback.statusCode(), rollback.bodyAsString());
    assertEquals("2", rollback.bodyAsJsonObject().getString("version"));
    h.awaitAnswer(a, "m", 2f);
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(restarted, "m")));
  }
}
