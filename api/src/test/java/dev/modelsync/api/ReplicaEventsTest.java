package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 16, what every replica does with the events topic: events someone re-produces or forges are
 * refused by live and fresh replicas, and admin pins reach every replica, restarts included.
 */
@ExtendWith(HarnessExtension.class)
class ReplicaEventsTest {
  Harness h;

  @BeforeEach
  void harness(Harness h) {
    this.h = h;
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
            lin.savedAt(),
            null));
    var failed =
        h.awaitStatus(
            "fraud refused",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("fraud"));
    assertTrue(failed.reason().contains("'fraud/2'"), failed.reason());
    assertEquals(
        404, h.post(api, "/v2/models/fraud/infer", Harness.inferBody(1, 2, 3, 4)).statusCode());
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
