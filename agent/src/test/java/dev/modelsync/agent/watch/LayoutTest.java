package dev.modelsync.agent.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models directory's layout on a real tree: which paths are save units, which are ignored. */
class LayoutTest {
  @TempDir Path models;

  private Path dir(String rel) throws Exception {
    return Files.createDirectories(models.resolve(rel));
  }

  private Path file(String rel) throws Exception {
    Files.createDirectories(models.resolve(rel).getParent());
    return Files.write(models.resolve(rel), new byte[] {1});
  }

  @Test
  @DisplayName(
      "a scan finds version directories and single model files, and nothing hidden, temporary,"
          + " misnamed or out of place")
  void scan() throws Exception {
    file("iris/1/model.onnx");
    dir("iris/2");
    file("iris/3");
    dir("iris/0");
    dir("iris/x");
    dir("iris/.tmp");
    dir(".hidden/1");
    dir("bad name!/1");
    file("lin.onnx");
    file("notes.txt");
    file("bad name!.onnx");
    file("half.onnx.tmp");
    Layout layout = new Layout(models);
    assertEquals(
        List.of(
            new SaveUnit("iris", 1, models.resolve("iris/1"), "iris/1"),
            new SaveUnit("iris", 2, models.resolve("iris/2"), "iris/2"),
            new SaveUnit("lin", 0, models.resolve("lin.onnx"), "lin.onnx")),
        layout.scan());
  }

  @Test
  @DisplayName("a path's unit: its version directory or its single file; none for the rest")
  void unitOf() throws Exception {
    Path inside = file("iris/1/sub/model.onnx");
    Layout layout = new Layout(models);
    SaveUnit iris1 = new SaveUnit("iris", 1, models.resolve("iris/1"), "iris/1");
    assertEquals(Optional.of(iris1), layout.unitOf(inside));
    assertEquals(Optional.of(iris1), layout.unitOf(models.resolve("iris/1")));
    assertEquals(Optional.empty(), layout.unitOf(models));
    assertEquals(Optional.empty(), layout.unitOf(models.resolve("iris")));
    assertEquals(Optional.empty(), layout.unitOf(models.getParent().resolve("elsewhere/1")));
    assertEquals(Optional.empty(), layout.unitOf(file("iris.txt")));
    assertEquals(
        Optional.of(new SaveUnit("m", 0, models.resolve("m.pt"), "m.pt")),
        layout.unitOf(file("m.pt")));
    assertEquals(models, layout.modelsDir());
  }

  @Test
  @DisplayName("an ignored path is reported once")
  void ignoredOnce() {
    Layout layout = new Layout(models);
    assertTrue(layout.ignore(models.resolve("x"), "why"));
    assertFalse(layout.ignore(models.resolve("x"), "why"));
  }
}
