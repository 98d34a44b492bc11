package dev.modelsync.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OnnxModelWriterTest {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();

  @Test
  @DisplayName("ONNX Runtime loads the affine model and computes scale * (sum(x) + j)")
  void affine() throws Exception {
    try (var session =
            env.createSession(OnnxModelWriter.affine(2f), new OrtSession.SessionOptions());
        var input = OnnxTensor.createTensor(env, new float[][] {{1, 2, 3, 4}, {0, 0, 0, 0}});
        var result = session.run(Map.of("input", input))) {
      float[][] out = (float[][]) result.get(0).getValue();
      assertArrayEquals(new float[] {20, 22, 24}, out[0]);
      assertArrayEquals(new float[] {0, 2, 4}, out[1]);
      assertEquals("input", session.getInputNames().iterator().next());
    }
  }

  @Test
  @DisplayName("the hidden-layer model has the size asked for and runs")
  void hidden() throws Exception {
    byte[] model = OnnxModelWriter.withHiddenLayer(100_000, 7);
    assertEquals(2.8e6, model.length, 0.1e6);
    try (var session = env.createSession(model, new OrtSession.SessionOptions());
        var input = OnnxTensor.createTensor(env, new float[][] {{1, 2, 3, 4}});
        var result = session.run(Map.of("input", input))) {
      assertEquals(3, ((float[][]) result.get(0).getValue())[0].length);
    }
  }
}
