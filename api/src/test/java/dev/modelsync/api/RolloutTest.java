package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.ConfigException;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.RolloutDecided;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.onnx.TypedModels;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shadow and canary rollouts (model.json {@code rollout}) against real ONNX models, a real broker
 * and real api replicas: every decision goes through the events topic.
 */
@ExtendWith(HarnessExtension.class)
class RolloutTest {
  Harness h;
  RolloutProbe probe;

  @BeforeEach
  void harness(Harness h, RolloutProbe probe) {
    this.h = h;
    this.probe = probe;
  }

  @Test
  @DisplayName(
      "a shadow's divergence from the served version is measured on known inputs, exactly, while"
          + " the served version answers every request")
  void shadowDivergence() throws Exception {
    Api api = h.startApi();
    h.save("shadowed", 1, 1f);
    h.awaitAnswer(api, "shadowed", 1f);
    // v1 answers row [0,0,0,0] with [0, 1, 2] and row [1,2,3,4] with [10, 11, 12]; v2 = 1.5 * v1:
    // differences 0, 0.5, 1 (row within abs 2) and 5, 5.5, 6 (row beyond): max 6, mean 3, half
    probe.saveWithRollout(
        "shadowed",
        2,
        OnnxModelWriter.affine(1.5f),
        "{\"policy\": \"shadow\", \"tolerance\": {\"abs\": 2}}");
    probe.awaitRollout(api, "shadowed");

    for (int i = 0; i < 4; i++) {
      JsonObject answer = probe.infer(api, "shadowed", 0, 0, 0, 0, 1, 2, 3, 4);
      assertEquals("1", answer.getString("model_version"), "the served version answers");
      assertEquals(
          List.of(0.0, 1.0, 2.0, 10.0, 11.0, 12.0),
          Harness.numbers(answer.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")));
    }
    JsonObject measures =
        probe
            .awaitMeasures(api, "shadowed", m -> m.getLong("requests") == 4)
            .getJsonObject("measures");
    assertEquals(6.0, measures.getDouble("maxAbs"));
    assertEquals(3.0, measures.getDouble("meanAbs"));
    assertEquals(0.5, measures.getDouble("divergentShare"));
    assertEquals(0L, measures.getLong("dropped"));

    String metrics = h.get(api, "/metrics").bodyAsString();
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("modelsync_rollout_divergence_max")
                        && l.contains("model=\"shadowed\"")
                        && l.contains("version=\"2\"")
                        && l.endsWith(" 6.0")),
        metrics);
    ModelStatus progress =
        h.awaitStatus(
            "progress of shadowed v2 after 4 requests",
            s ->
                s.type().equals(EventTypes.ROLLOUT_PROGRESS)
                    && s.model().equals("shadowed")
                    && s.rollout() != null
                    && s.rollout().requests() == 4);
    assertEquals(6.0, progress.rollout().maxAbs());
    assertEquals(3.0, progress.rollout().meanAbs());
    assertEquals(0.5, progress.rollout().divergentShare());
  }

  @Test
  @DisplayName(
      "a shadow within its threshold is promoted after promoteAfter requests; one beyond it is"
          + " rolled back and never answers")
  void shadowDecidesAfterRequests() throws Exception {
    Api api = h.startApi();
    h.save("close", 1, 1f);
    h.save("far", 1, 1f);
    h.awaitAnswer(api, "close", 1f);
    h.awaitAnswer(api, "far", 1f);
    String policy = "{\"policy\": \"shadow\", \"promoteAfter\": 5}";
    probe.saveWithRollout("close", 2, OnnxModelWriter.affine(1.0000001f), policy);
    probe.saveWithRollout("far", 2, OnnxModelWriter.affine(2f), policy);
    probe.awaitRollout(api, "close");
    probe.awaitRollout(api, "far");

    Harness.eventually(
        "close v2 promoted",
        () -> "2".equals(probe.inferQuietly(api, "close").getString("model_version")));
    RolloutDecided promoted = probe.awaitDecision(EventTypes.PROMOTED, "close", 2);
    assertTrue(promoted.measures().requests() >= 5, promoted.toString());
    assertEquals(0.0, promoted.measures().divergentShare());

    Harness.eventually(
        "far v2 rolled back",
        () -> {
          probe.inferQuietly(api, "far");
          return probe.decisions().stream()
              .anyMatch(d -> d.model().equals("far") && d.type().equals(EventTypes.ROLLED_BACK));
        });
    ModelStatus rejected =
        h.awaitStatus(
            "far v2 rejected",
            s -> s.type().equals(EventTypes.REJECTED) && s.model().equals("far"));
    assertNotNull(rejected.rollout(), rejected.toString());
    assertEquals(1.0, rejected.rollout().divergentShare());
    assertEquals("1", probe.infer(api, "far", 1, 2, 3, 4).getString("model_version"));
    assertEquals(
        404,
        h.post(api, "/v2/models/far/versions/2/infer", Harness.inferBody(1, 2, 3, 4)).statusCode());
  }

  @Test
  @DisplayName("an admin promotes a shadow through any replica; the decision is on the topic")
  void adminPromotes() throws Exception {
    Api api = h.startApi();
    probe.startRollout(api, "manual", OnnxModelWriter.affine(3f), "{\"policy\": \"shadow\"}");
    assertEquals("1", probe.infer(api, "manual", 1, 2, 3, 4).getString("model_version"));

    var refused = h.admin(api, "/v2/repository/models/manual/promote", null, "wrong-token-0000");
    assertEquals(403, refused.statusCode());
    var r = h.admin(api, "/v2/repository/models/manual/promote", null, Harness.TOKEN);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    h.awaitAnswer(api, "manual", 3f);
    RolloutDecided d = probe.awaitDecision(EventTypes.PROMOTED, "manual", 2);
    assertTrue(d.reason().contains("admin"), d.reason());
    var none = h.admin(api, "/v2/repository/models/manual/promote", null, Harness.TOKEN);
    assertEquals(409, none.statusCode(), none.bodyAsString());
  }

  @Test
  @DisplayName("a canary answers its share of requests at each step, then is promoted")
  void canarySteps() throws Exception {
    Api api = h.startApi();
    probe.startRollout(
        api,
        "bird",
        OnnxModelWriter.affine(2f),
        "{\"policy\": \"canary\", \"steps\": [25, 50, 100], \"dwellMs\": 1000,"
            + " \"minRequests\": 5, \"maxP99IncreaseMs\": 60000}");

    // blocks of 20 requests: at a share s, exactly 20 * s / 100 of a block go to the canary
    Map<Integer, List<Integer>> byShare = new TreeMap<>();
    long deadline = System.nanoTime() + Harness.WAIT.toNanos();
    while (probe.rollout(api, "bird") != null && System.nanoTime() < deadline) {
      int before = probe.share(api, "bird");
      int canary = 0;
      for (int i = 0; i < 20; i++) {
        if ("2".equals(probe.infer(api, "bird", 1, 2, 3, 4).getString("model_version"))) {
          canary++;
        }
      }
      if (before > 0 && probe.share(api, "bird") == before) {
        byShare.computeIfAbsent(before, s -> new ArrayList<>()).add(canary);
      }
    }
    assertTrue(byShare.keySet().containsAll(List.of(25, 50)), byShare.toString());
    byShare.forEach(
        (share, counts) -> counts.forEach(c -> assertEquals(20 * share / 100, c, "at " + share)));
    h.awaitAnswer(api, "bird", 2f);
    assertEquals(
        List.of("stepped 50", "stepped 100", "promoted 0"),
        probe.decisions().stream()
            .filter(d -> d.model().equals("bird"))
            .map(d -> d.type().substring(d.type().lastIndexOf('.') + 1) + " " + d.share())
            .distinct()
            .toList());
  }

  @Test
  @DisplayName(
      "a canary failing on some inputs rolls back on its own; the served version answers them all")
  void canaryErrorsRollBack() throws Exception {
    Api api = h.startApi();
    float[] wide = new float[256];
    float[] narrow = new float[8];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = i;
    }
    h.save("lookup", 1, TypedModels.lookup(wide));
    Harness.eventually("lookup v1", () -> probe.inferQuietly(api, "lookup") != null);
    probe.saveWithRollout(
        "lookup",
        2,
        TypedModels.lookup(narrow),
        "{\"policy\": \"canary\", \"steps\": [50, 100], \"dwellMs\": 600000,"
            + " \"minRequests\": 10, \"maxErrorRateIncrease\": 0.1}");
    probe.awaitRollout(api, "lookup");

    // index 9 is within v1's table of 256 and beyond v2's table of 8: ONNX Runtime refuses the run
    int failed = 0;
    while (probe.rollout(api, "lookup") != null) {
      var r = h.post(api, "/v2/models/lookup/infer", Harness.inferBody(9, 9, 9, 9));
      if (r.statusCode() == 500) {
        failed++;
      } else {
        assertEquals(200, r.statusCode(), r.bodyAsString());
      }
      assertTrue(failed < 1000, "never rolled back");
    }
    RolloutDecided d = probe.awaitDecision(EventTypes.ROLLED_BACK, "lookup", 2);
    assertTrue(d.reason().contains("error rate"), d.reason());
    assertEquals(1.0, d.measures().candidateErrorRate());
    assertEquals(0.0, d.measures().baselineErrorRate());
    for (int i = 0; i < 10; i++) {
      var r = h.post(api, "/v2/models/lookup/infer", Harness.inferBody(9, 9, 9, 9));
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals("1", r.bodyAsJsonObject().getString("model_version"));
    }
  }

  @Test
  @DisplayName(
      "two replicas apply the same decisions in topic order: the first promote or roll back wins,"
          + " a later one is a no-op")
  void replicasAgree() throws Exception {
    Api a = h.startApi();
    Api b = h.startApi();
    h.save("agree", 1, 1f);
    h.awaitAnswer(a, "agree", 1f);
    h.awaitAnswer(b, "agree", 1f);
    probe.saveWithRollout("agree", 2, OnnxModelWriter.affine(2f), "{\"policy\": \"shadow\"}");
    probe.awaitRollout(a, "agree");
    probe.awaitRollout(b, "agree");

    // two replicas decided at once, each its own way: the topic orders them
    Instant now = Instant.now();
    h.publish(new RolloutDecided(EventTypes.PROMOTED, "agree", 2, 0, 0, "first", "x", now, null));
    h.publish(
        new RolloutDecided(EventTypes.ROLLED_BACK, "agree", 2, 0, 0, "second", "y", now, null));
    h.save("agree", 3, 3f); // after both on the topic: once it serves, both were applied
    for (Api api : List.of(a, b)) {
      h.awaitAnswer(api, "agree", 3f);
      var v2 = h.post(api, "/v2/models/agree/versions/2/infer", Harness.inferBody(1, 2, 3, 4));
      assertEquals(200, v2.statusCode(), "v2 was promoted, not rolled back: " + v2.bodyAsString());
    }
    assertTrue(
        h.statuses().stream()
            .noneMatch(s -> s.type().equals(EventTypes.REJECTED) && s.model().equals("agree")));

    // a shadow decided by one replica's measures is applied by the other, which saw no request
    probe.saveWithRollout(
        "agree", 4, OnnxModelWriter.affine(5f), "{\"policy\": \"shadow\", \"promoteAfter\": 3}");
    probe.awaitRollout(a, "agree");
    probe.awaitRollout(b, "agree");
    Harness.eventually(
        "v4 rolled back on b",
        () -> {
          probe.inferQuietly(a, "agree");
          return probe.rolloutQuietly(b, "agree") == null;
        });
    assertEquals("3", probe.infer(b, "agree", 1, 2, 3, 4).getString("model_version"));
    assertEquals("3", probe.infer(a, "agree", 1, 2, 3, 4).getString("model_version"));
  }

  @Test
  @DisplayName("a replica restarted in the middle of a canary rejoins it at the step on the topic")
  void restartRejoins() throws Exception {
    Api a = h.startApi();
    Api b = h.startApi();
    probe.startRollout(
        a,
        "resume",
        OnnxModelWriter.affine(2f),
        "{\"policy\": \"canary\", \"steps\": [25, 50, 100], \"dwellMs\": 600000}");
    probe.awaitRollout(b, "resume");
    h.publish(
        new RolloutDecided(
            EventTypes.STEPPED, "resume", 2, 1, 50, "test", "x", Instant.now(), null));
    Harness.eventually("a at 50%", () -> probe.shareQuietly(a, "resume") == 50);

    h.stopApi(b);
    Api c = h.startApi();
    probe.awaitRollout(c, "resume");
    JsonObject view = probe.rollout(c, "resume");
    assertEquals(50, view.getInteger("share"), view.encode());
    assertEquals("2", view.getString("candidate"));
    assertEquals("1", view.getString("baseline"));
    int canary = 0;
    for (int i = 0; i < 20; i++) {
      if ("2".equals(probe.infer(c, "resume", 1, 2, 3, 4).getString("model_version"))) {
        canary++;
      }
    }
    assertEquals(10, canary, "half of the requests on the restarted replica");

    var r = h.admin(a, "/v2/repository/models/resume/promote", null, Harness.TOKEN);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    h.awaitAnswer(c, "resume", 2f);
    assertFalse(probe.decisions().isEmpty());
  }

  @Test
  @DisplayName(
      "MODELSYNC_ROLLOUT is the policy of a model.json without one; a bad value or field is"
          + " refused naming it, and the rollout under way goes on")
  void defaultAndBadFields() throws Exception {
    var bad =
        assertThrows(
            ConfigException.class, () -> h.config(Map.of("MODELSYNC_ROLLOUT", "blue-green")));
    assertTrue(bad.getMessage().contains("MODELSYNC_ROLLOUT"), bad.getMessage());

    Api api = h.startApi(Map.of("MODELSYNC_ROLLOUT", "shadow"));
    h.save("dflt", 1, 1f);
    h.awaitAnswer(api, "dflt", 1f);
    h.save("dflt", 2, 2f); // no rollout in its model.json
    probe.awaitRollout(api, "dflt");
    assertEquals("shadow", probe.rollout(api, "dflt").getString("policy"));
    assertEquals("1", probe.infer(api, "dflt", 1, 2, 3, 4).getString("model_version"));

    probe.saveWithRollout(
        "dflt",
        3,
        OnnxModelWriter.affine(3f),
        "{\"policy\": \"canary\", \"steps\": [50, 25, 100]}");
    ModelStatus failed =
        h.awaitStatus(
            "dflt v3 load_failed",
            s -> s.type().equals(EventTypes.LOAD_FAILED) && s.model().equals("dflt"));
    assertTrue(failed.reason().contains("rollout.steps"), failed.reason());
    assertEquals("2", probe.rollout(api, "dflt").getString("candidate"));
    assertEquals("1", probe.infer(api, "dflt", 1, 2, 3, 4).getString("model_version"));
  }

  @Test
  @DisplayName(
      "a replica restarted in the middle of a shadow holds the candidate back again and shadows it")
  void restartShadow() throws Exception {
    Api a = h.startApi();
    probe.startRollout(a, "mirror", OnnxModelWriter.affine(2f), "{\"policy\": \"shadow\"}");
    h.stopApi(a);

    Api b = h.startApi();
    probe.awaitRollout(b, "mirror");
    assertEquals("shadow", probe.rollout(b, "mirror").getString("policy"));
    for (int i = 0; i < 3; i++) {
      assertEquals("1", probe.infer(b, "mirror", 1, 2, 3, 4).getString("model_version"));
    }
    JsonObject m = probe.awaitMeasures(b, "mirror", x -> x.getLong("requests") == 3);
    assertEquals(12.0, m.getJsonObject("measures").getDouble("maxAbs"));
    var r = h.admin(b, "/v2/repository/models/mirror/promote", null, Harness.TOKEN);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    h.awaitAnswer(b, "mirror", 2f);
  }
}
