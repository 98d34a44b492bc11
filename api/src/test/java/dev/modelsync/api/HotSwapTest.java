package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HotSwapTest {
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
  @DisplayName("v1 answers, then v2 answers in the same process, and a broken v3 changes nothing")
  void savedVersionsSwapIn() throws Exception {
    Api api = h.startApi();
    h.save("iris", 1, 1f);
    h.awaitAnswer(api, "iris", 1f);
    h.save("iris", 2, 2f);
    h.awaitAnswer(api, "iris", 2f);

    h.save("iris", 3, "not an onnx model".getBytes(StandardCharsets.UTF_8));
    var failed =
        h.awaitStatus(
            "load_failed of v3", s -> s.type().equals(EventTypes.LOAD_FAILED) && s.version() == 3);
    assertNotNull(failed.reason());
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(api, "iris")));

    ModelSaved tampered =
        h.write("iris", 4, dev.modelsync.onnx.OnnxModelWriter.affine(4f), "sha256:00");
    h.publish(tampered);
    var mismatch =
        h.awaitStatus(
            "load_failed of v4", s -> s.type().equals(EventTypes.LOAD_FAILED) && s.version() == 4);
    assertTrue(mismatch.reason().contains("digest"), mismatch.reason());
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(api, "iris")));

    var activated =
        h.awaitStatus(
            "activated v2", s -> s.type().equals(EventTypes.ACTIVATED) && s.version() == 2);
    assertNotNull(activated.loadMillis());
    assertNotNull(activated.saveToServeMillis());
  }
}
