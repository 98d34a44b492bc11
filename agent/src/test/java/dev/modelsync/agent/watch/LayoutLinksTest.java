package dev.modelsync.agent.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutLinksTest {
  @TempDir Path root;
  Path models;
  Path outside;
  Layout layout;

  @BeforeEach
  void dirs() throws Exception {
    models = Files.createDirectories(root.resolve("models"));
    outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("model.onnx"), "secret");
    Files.writeString(outside.resolve("model.json"), "{\"engine\":\"OnnxRuntime\"}");
    layout = new Layout(models);
  }

  @Test
  @DisplayName("a version directory linked out of the models directory is ignored, logged once")
  void linkedVersionDirectory() throws Exception {
    Files.createDirectories(models.resolve("iris"));
    Path link = Files.createSymbolicLink(models.resolve("iris/1"), outside);
    assertTrue(layout.unitOf(link).isEmpty());
    assertTrue(layout.unitOf(link.resolve("model.onnx")).isEmpty());
    assertTrue(layout.scan().isEmpty());
    // already reported by unitOf: a second report would not log
    assertFalse(layout.ignore(link, "again"));
  }

  @Test
  @DisplayName("a linked model file or model directory is ignored, wherever it points")
  void linkedFileAndModelDirectory() throws Exception {
    Path file =
        Files.createSymbolicLink(models.resolve("stolen.onnx"), outside.resolve("model.onnx"));
    Path dir = Files.createSymbolicLink(models.resolve("elsewhere"), outside);
    assertTrue(layout.unitOf(file).isEmpty());
    assertTrue(layout.unitOf(dir.resolve("1")).isEmpty());
    assertTrue(layout.scan().isEmpty());
    assertFalse(layout.ignore(file, "again"));
    assertFalse(layout.ignore(dir, "again"));
  }

  @Test
  @DisplayName("links inside a version directory are left out of it and reported, model.json too")
  void linksInsideAVersion() throws Exception {
    Path version = Files.createDirectories(models.resolve("iris/2"));
    Files.writeString(version.resolve("model.onnx"), "real model");
    Files.createSymbolicLink(version.resolve("extra.onnx"), outside.resolve("model.onnx"));
    Files.createSymbolicLink(version.resolve("model.json"), outside.resolve("model.json"));
    SaveUnit unit = layout.unitOf(version).orElseThrow();
    List<Path> links = new ArrayList<>();
    Observation obs = new Observer(models, links::add).observe(unit);
    assertEquals(
        List.of("model.onnx"), obs.files().stream().map(Observation.FileStat::path).toList());
    assertEquals(Observation.ManifestState.ABSENT, obs.manifestState());
    assertEquals(2, links.size());
  }
}
