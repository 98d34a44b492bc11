package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.events.Manifest;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The pure parts of rollouts outside the catalog: divergence, and the policy's checks. */
class RolloutPolicyTest {
  static Tensor rows(float... values) {
    return new Tensor("output", DataType.FP32, new long[] {values.length / 3, 3}, values);
  }

  @Test
  @DisplayName("divergence: max and mean absolute difference and the share of rows beyond")
  void divergence() {
    Divergence d = new Divergence(new Manifest.Tolerance(2.0, null));
    d.add(List.of(rows(0, 1, 2, 10, 11, 12)), List.of(rows(0, 1.5f, 3, 15, 16.5f, 18)));
    assertEquals(6.0, d.maxAbs());
    assertEquals(3.0, d.meanAbs());
    assertEquals(0.5, d.divergentShare());
    d.add(List.of(rows(1, 1, 1)), List.of()); // the candidate gave no answer: its row diverges
    assertEquals(6.0, d.maxAbs());
    assertEquals(2.0 / 3, d.divergentShare(), 1e-12);
    assertEquals(2, d.requests());
  }

  @Test
  @DisplayName("a rollout policy with a bad field is refused naming the field; none = defaults")
  void policyChecks() throws Exception {
    assertEquals(RolloutMode.INSTANT, RolloutPolicy.of(null, RolloutMode.INSTANT).mode());
    RolloutPolicy canary =
        RolloutPolicy.of(manifest("{\"policy\": \"canary\"}"), RolloutMode.INSTANT);
    assertEquals(List.of(5, 25, 100), canary.steps());
    assertEquals(RolloutMode.SHADOW, RolloutPolicy.of(manifest("{}"), RolloutMode.SHADOW).mode());
    refused("{\"policy\": \"blue-green\"}", "rollout.policy");
    refused("{\"steps\": [50, 25, 100]}", "rollout.steps");
    refused("{\"steps\": [5, 25]}", "rollout.steps");
    refused("{\"dwellMs\": 0}", "rollout.dwellMs");
    refused("{\"maxDivergentShare\": 1.5}", "rollout.maxDivergentShare");
    refused("{\"promoteAfter\": -1}", "rollout.promoteAfter");
    refused("{\"minRequests\": 0}", "rollout.minRequests");
    refused("{\"maxErrorRateIncrease\": -0.1}", "rollout.maxErrorRateIncrease");
    refused("{\"tolerance\": {\"abs\": -1}}", "rollout.tolerance");
  }

  private static Manifest manifest(String rollout) throws Exception {
    return dev.modelsync.events.Json.newMapper()
        .readValue("{\"rollout\": " + rollout + "}", Manifest.class);
  }

  private static void refused(String rollout, String field) throws Exception {
    Manifest m = manifest(rollout);
    Executable check = () -> RolloutPolicy.of(m, RolloutMode.INSTANT);
    ModelLoadException e =
        org.junit.jupiter.api.Assertions.assertThrows(ModelLoadException.class, check);
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }
}
