package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlowAndFailingModelsTest {
  @Test
  @DisplayName(
      "while one model takes its time to load and another fails its warm-up, a third model keeps"
          + " answering and its new version loads; loads of one model never overlap")
  void slowAndFailingModelsBlockNobody(@TempDir Path dir) throws Exception {
    TestEngines.SlowLoader slow = new TestEngines.SlowLoader(30_000);
    try (var system = StandaloneHarness.start(dir, Map.of(), List.of(slow))) {
      int api = system.apiPort();
      Path models = system.modelsDir();
      StandaloneHarness.saveVersion(models, "fast", 1, OnnxModelWriter.affine(1f));
      Faults.awaitAnswer(api, "fast", "[10.0,11.0,12.0]", Duration.ofSeconds(30));

      long holdUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      TestEngines.save(models, "slow", 1, OnnxModelWriter.affine(3f), "SlowOnnx", "[1, 4]");
      // loads fine, but its example does not fit the model: the warm-up fails
      TestEngines.save(models, "badwarm", 1, OnnxModelWriter.affine(4f), "OnnxRuntime", "[2, 2]");
      Faults.await(Duration.ofSeconds(30), "slow's load started", () -> slow.isLoading("slow"));
      TestEngines.save(models, "slow", 2, OnnxModelWriter.affine(5f), "SlowOnnx", "[1, 4]");
      StandaloneHarness.saveVersion(models, "fast", 2, OnnxModelWriter.affine(2f));

      Faults.awaitAnswer(api, "fast", "[20.0,22.0,24.0]", Duration.ofSeconds(30));
      ModelStatus failed = awaitStatus(system, "badwarm", 1, EventTypes.LOAD_FAILED);
      assertTrue(slow.isLoading("slow"), "the slow load was still running meanwhile");
      assertTrue(Faults.answer(api, "slow").startsWith("404"), Faults.answer(api, "slow"));
      for (int i = 0; i < 20; i++) {
        assertEquals("[20.0,22.0,24.0]", Faults.answer(api, "fast"));
      }
      System.out.println("badwarm: " + failed.reason());
      assertTrue(failed.reason().contains("warm-up failed"), failed.reason());
      assertTrue(Faults.answer(api, "badwarm").startsWith("404"), Faults.answer(api, "badwarm"));

      Thread.sleep(Math.max(0, (holdUntil - System.nanoTime()) / 1_000_000));
      slow.release.countDown();
      Faults.awaitAnswer(api, "slow", "[50.0,55.0,60.0]", Duration.ofSeconds(30));
      assertEquals(1, slow.maxPerModel.get(), "loads of one model are serialized");
    }
  }

  static ModelStatus awaitStatus(
      StandaloneHarness system, String model, long version, String type) {
    return Faults.awaitStatus(
        system.bootstrapServers(),
        s -> s.model().equals(model) && s.version() == version && s.type().equals(type),
        Duration.ofSeconds(30));
  }
}
