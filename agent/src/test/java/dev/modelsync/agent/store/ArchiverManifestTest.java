package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.agent.watch.Observation;
import dev.modelsync.events.Json;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ArchiverManifestTest {
  @Test
  @DisplayName(
      "the event's manifest keeps model.json's gate and rollout when engine and file are filled in")
  void keepsRollout() throws Exception {
    Manifest written =
        Json.newMapper()
            .readValue(
                "{\"rollout\": {\"policy\": \"canary\", \"steps\": [10, 100], \"dwellMs\": 5000},"
                    + " \"gate\": {\"cases\": []}}",
                Manifest.class);
    Observation obs = new Observation(List.of(), Observation.ManifestState.VALID, written, true);
    Snapshotter.Staged staged =
        new Snapshotter.Staged(
            "iris",
            Path.of("unused"),
            "sha256:x",
            10,
            List.of(new FileEntry("model.onnx", 10, "")));

    Manifest sent = Archiver.manifestFor(obs, staged);

    assertEquals("OnnxRuntime", sent.engine());
    assertEquals("model.onnx", sent.file());
    assertEquals(written.rollout(), sent.rollout());
    assertEquals(written.gate(), sent.gate());
  }
}
