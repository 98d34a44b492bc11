package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactPathsTest {
  @TempDir Path root;
  Path store;
  Path outside;

  @BeforeEach
  void layout() throws Exception {
    store = Files.createDirectories(root.resolve("store"));
    outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("secret.onnx"), "secret");
    Files.createDirectories(store.resolve("iris/3"));
    Files.writeString(store.resolve("iris/3/model.onnx"), "model");
  }

  @Test
  @DisplayName("a plain relative artifact resolves to its real path inside the store")
  void plain() throws Exception {
    assertEquals(store.resolve("iris/3").toRealPath(), ArtifactPaths.resolve(store, "iris/3"));
    assertEquals(
        store.resolve("iris/3").toRealPath(),
        ArtifactPaths.resolve(store, saved("iris/3", "model.onnx")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../outside",
        "iris/../../outside",
        "iris/../iris/3",
        "./iris/3",
        "iris//3",
        "iris/3/",
        "/etc",
        "\\etc\\passwd",
        "iris/3\u0000",
        "iris/3\n"
      })
  @DisplayName("'..', '.', empty segments, absolute paths and control characters are refused")
  void syntaxRefused(String artifact) {
    var e = assertThrows(ArtifactPathException.class, () -> ArtifactPaths.resolve(store, artifact));
    assertTrue(e.getMessage().startsWith("refused artifact '"), e.getMessage());
    assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
  }

  @Test
  @DisplayName("missing or empty artifacts are refused with a clear message")
  void missing() {
    var e = assertThrows(ArtifactPathException.class, () -> ArtifactPaths.resolve(store, "iris/4"));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e = assertThrows(ArtifactPathException.class, () -> ArtifactPaths.resolve(store, ""));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  @DisplayName("a symbolic link pointing out of the store is refused, one inside it is followed")
  void symlinks() throws Exception {
    Files.createDirectories(store.resolve("evil"));
    Files.createSymbolicLink(store.resolve("evil/1"), outside);
    var e = assertThrows(ArtifactPathException.class, () -> ArtifactPaths.resolve(store, "evil/1"));
    assertTrue(e.getMessage().contains("symbolic link pointing out"), e.getMessage());

    Files.createSymbolicLink(store.resolve("iris/latest"), store.resolve("iris/3"));
    assertEquals(store.resolve("iris/3").toRealPath(), ArtifactPaths.resolve(store, "iris/latest"));
  }

  @Test
  @DisplayName("a listed file that escapes the artifact directory, by name or by link, is refused")
  void files() throws Exception {
    var e =
        assertThrows(
            ArtifactPathException.class,
            () -> ArtifactPaths.resolve(store, saved("iris/3", "../../../outside/secret.onnx")));
    assertTrue(e.getMessage().startsWith("refused file"), e.getMessage());

    Files.createSymbolicLink(store.resolve("iris/3/link.onnx"), outside.resolve("secret.onnx"));
    e =
        assertThrows(
            ArtifactPathException.class,
            () -> ArtifactPaths.resolve(store, saved("iris/3", "link.onnx")));
    assertTrue(e.getMessage().contains("symbolic link pointing out"), e.getMessage());
  }

  @Test
  @DisplayName("a store root that is itself a symbolic link works")
  void linkedStoreRoot() throws Exception {
    Path linked = Files.createSymbolicLink(root.resolve("store-link"), store);
    assertEquals(store.resolve("iris/3").toRealPath(), ArtifactPaths.resolve(linked, "iris/3"));
  }

  private static ModelSaved saved(String artifact, String file) {
    return new ModelSaved(
        "iris",
        3,
        "sha256:x",
        5,
        "OnnxRuntime",
        List.of(new ModelSaved.FileEntry(file, 5, "ab")),
        artifact,
        null,
        Instant.EPOCH,
        null);
  }
}
