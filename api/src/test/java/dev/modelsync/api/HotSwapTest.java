package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.onnx.OnnxModelWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HarnessExtension.class)
class HotSwapTest {
  Harness h;

  @BeforeEach
  void harness(Harness h) {
    this.h = h;
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

  @Test
  @DisplayName("a fresh replica started after three saves serves the latest version of each model")
  void freshReplicaRebuildsFromTheTopic() throws Exception {
    h.save("a", 1, 1f);
    h.save("a", 2, 2f);
    h.save("a", 3, 3f);
    h.save("b", 1, 5f);
    ModelSaved b2 = h.save("b", 2, 6f);
    h.delete("b", 2, b2.digest());
    Api api = h.startApi();
    assertEquals(Harness.numbers(Harness.expected(3f)), Harness.numbers(h.infer(api, "a")));
    assertEquals(Harness.numbers(Harness.expected(5f)), Harness.numbers(h.infer(api, "b")));
    assertEquals(
        404,
        h.post(api, "/v2/models/a/versions/1/infer", Harness.inferBody(1, 2, 3, 4)).statusCode());
  }

  @Test
  @DisplayName(
      "older versions stay reachable by path up to the kept number; a deleted one falls back")
  void keepsVersionsAndFallsBackOnDelete() throws Exception {
    Api api = h.startApi(Map.of("MODELSYNC_KEEP_VERSIONS", "2"));
    h.save("m", 1, 1f);
    h.awaitAnswer(api, "m", 1f);
    h.save("m", 2, 2f);
    h.awaitAnswer(api, "m", 2f);
    var v1 = h.post(api, "/v2/models/m/versions/1/infer", Harness.inferBody(1, 2, 3, 4));
    assertEquals(200, v1.statusCode(), v1.bodyAsString());
    assertEquals("1", v1.bodyAsJsonObject().getString("model_version"));
    ModelSaved v3 = h.save("m", 3, 3f);
    h.awaitAnswer(api, "m", 3f);
    h.awaitStatus("unloaded v1", s -> s.type().equals(EventTypes.UNLOADED) && s.version() == 1);
    assertEquals(
        404,
        h.post(api, "/v2/models/m/versions/1/infer", Harness.inferBody(1, 2, 3, 4)).statusCode());
    h.delete("m", 3, v3.digest());
    h.awaitAnswer(api, "m", 2f);
  }

  @Test
  @DisplayName("requests in flight while versions swap all succeed, on the old or the new version")
  void inFlightRequestsSurviveSwaps() throws Exception {
    Api api = h.startApi(Map.of("MODELSYNC_KEEP_VERSIONS", "1"));
    h.save("busy", 1, 1f);
    h.awaitAnswer(api, "busy", 1f);
    try (RequestStream stream = new RequestStream(h, api, "busy", 16)) {
      stream.awaitVersion("1");
      for (int version = 2; version <= 6; version++) {
        stream.mark(version);
        h.save("busy", version, version);
        // requests keep flowing until the stream itself is answered by the new version
        stream.awaitVersion(Integer.toString(version));
      }
      stream.stopAndDrain();
      assertEquals(List.of(), stream.failures(), "every request in flight succeeds");
      for (int version = 2; version <= 6; version++) {
        assertTrue(
            stream.answeredAfterMark(version, Integer.toString(version - 1)) > 0,
            "requests were still answered by v" + (version - 1) + " after v" + version + " saved");
      }
    }
    h.awaitStatus("unloaded v5", s -> s.type().equals(EventTypes.UNLOADED) && s.version() == 5);
  }

  @Test
  @DisplayName("the same event delivered twice loads and activates the version once")
  void duplicateDeliveryIsIdempotent() throws Exception {
    Api api = h.startApi();
    byte[] v1 = h.codec().encode(h.write("twice", 1, OnnxModelWriter.affine(1f), null));
    h.publishRecord("twice", v1);
    h.awaitAnswer(api, "twice", 1f);
    h.publishRecord("twice", v1); // at-least-once delivery: the very same record value again
    // same key, same partition: v2 is consumed after the duplicate, so once v2 is active the
    // duplicate has been handled
    h.save("twice", 2, 2f);
    h.awaitAnswer(api, "twice", 2f);
    h.awaitStatus("activated v2", s -> s.type().equals(EventTypes.ACTIVATED) && s.version() == 2);
    List<ModelStatus> v1Statuses =
        h.statuses().stream().filter(s -> s.model().equals("twice") && s.version() == 1).toList();
    assertEquals(
        1, v1Statuses.stream().filter(s -> s.type().equals(EventTypes.LOADED)).count(), "loads");
    assertEquals(
        1,
        v1Statuses.stream().filter(s -> s.type().equals(EventTypes.ACTIVATED)).count(),
        "activations: " + v1Statuses);
    assertTrue(
        v1Statuses.stream().noneMatch(s -> s.type().equals(EventTypes.LOAD_FAILED)),
        v1Statuses.toString());
  }

  @Test
  @DisplayName(
      "with MODELSYNC_EVENT_KEY set, only signed events load; artifacts outside the store fail")
  void signedEventsAndStoreEscapes() throws Exception {
    String secret = "k".repeat(dev.modelsync.events.EventKey.MIN_LENGTH);
    Api api = h.startApi(Map.of("MODELSYNC_EVENT_KEY", secret));
    var signed =
        new dev.modelsync.events.EventCodec(
            java.net.URI.create("/modelsync/test"),
            java.util.Optional.of(dev.modelsync.events.EventKey.of(secret)));
    try (LogWatch log = new LogWatch()) {
      h.publish(h.write("unsigned", 1, dev.modelsync.onnx.OnnxModelWriter.affine(1f), null));
      h.publish(h.write("signed", 1, dev.modelsync.onnx.OnnxModelWriter.affine(2f), null), signed);
      // evidence the unsigned event was consumed and refused, not merely slower to load
      String refused =
          log.await(
              "the unsigned event refused",
              l -> l.contains("Skipping record " + h.eventsTopic) && l.contains("is unsigned"));
      assertTrue(refused.contains(dev.modelsync.events.EventTypes.SAVED), refused);
    }
    h.awaitAnswer(api, "signed", 2f);
    assertEquals(
        404, h.post(api, "/v2/models/unsigned/infer", Harness.inferBody(1, 2, 3, 4)).statusCode());
    assertTrue(
        h.statuses().stream().noneMatch(s -> s.model().equals("unsigned")),
        "no status for the unsigned model");

    ModelSaved ok = h.write("escape", 1, dev.modelsync.onnx.OnnxModelWriter.affine(1f), null);
    ModelSaved escaping =
        new ModelSaved(
            ok.model(),
            1,
            ok.digest(),
            ok.size(),
            ok.engine(),
            ok.files(),
            "../escape/1",
            ok.manifest(),
            ok.savedAt(),
            null);
    h.publish(escaping, signed);
    var failed =
        h.awaitStatus(
            "load_failed of escape",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("escape"));
    assertTrue(failed.reason().contains("artifact"), failed.reason());
  }
}
