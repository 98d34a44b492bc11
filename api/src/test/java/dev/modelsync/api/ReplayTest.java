package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
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

/** Issue 16: events someone re-produces or forges are refused by live and fresh replicas. */
@ExtendWith(VertxExtension.class)
class ReplayTest {
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
      "v3's original model.saved re-produced after v3 was deleted: the live replica keeps v2, and"
          + " a fresh replica rebuilding from the topic serves v2 too")
  void replayedSaveOfDeletedVersion() throws Exception {
    Api live = h.startApi(Map.of("MODELSYNC_KEEP_VERSIONS", "3"));
    h.save("lin", 1, 1f);
    h.save("lin", 2, 2f);
    ModelSaved v3 = h.write("lin", 3, dev.modelsync.onnx.OnnxModelWriter.affine(3f), null);
    byte[] original = h.encode(v3);
    h.publishRecord("lin", original);
    h.awaitAnswer(live, "lin", 3f);

    h.delete("lin", 3, v3.digest());
    h.awaitAnswer(live, "lin", 2f);

    h.publishRecord("lin", original); // the store still holds v3's files
    var refused =
        h.awaitStatus(
            "the replay refused", s -> s.type().equals(EventTypes.LOAD_FAILED) && s.version() == 3);
    assertTrue(refused.reason().contains("deleted"), refused.reason());
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(live, "lin")));

    Api fresh = h.startApi(Map.of("MODELSYNC_KEEP_VERSIONS", "3"));
    assertEquals(Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(fresh, "lin")));
    assertEquals(
        404,
        h.post(fresh, "/v2/models/lin/versions/3/infer", Harness.inferBody(1, 2, 3, 4))
            .statusCode());
  }

  @Test
  @DisplayName("a model.saved whose artifact is another model's version fails to load, clearly")
  void artifactOfAnotherModel() throws Exception {
    Api api = h.startApi();
    ModelSaved lin = h.save("lin", 2, 2f);
    h.awaitAnswer(api, "lin", 2f);
    h.publish(
        new ModelSaved(
            "fraud",
            2,
            lin.digest(),
            lin.size(),
            lin.engine(),
            lin.files(),
            "lin/2",
            lin.manifest(),
            lin.savedAt()));
    var failed =
        h.awaitStatus(
            "fraud refused",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("fraud"));
    assertTrue(failed.reason().contains("'fraud/2'"), failed.reason());
    assertEquals(
        404, h.post(api, "/v2/models/fraud/infer", Harness.inferBody(1, 2, 3, 4)).statusCode());
  }
}
