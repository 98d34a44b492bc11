package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.agent.watch.SourceTree;
import dev.modelsync.events.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotterTest {
  @TempDir Path root;

  @Test
  @DisplayName("a snapshot holds exactly the chosen files and never overwrites a published version")
  void stageAndCommit() throws Exception {
    Path source = Files.createDirectories(root.resolve("models/iris/1/sub"));
    Files.write(source.getParent().resolve("model.onnx"), new byte[] {1, 2, 3});
    Files.write(source.resolve("vocab.txt"), new byte[] {4});
    Files.write(source.getParent().resolve("model.onnx.tmp"), new byte[] {9});
    Snapshotter snapshotter = new Snapshotter(root.resolve("store"));
    var staged = stage(snapshotter, List.of("model.onnx", "sub/vocab.txt"));
    Path target = snapshotter.commit(staged, 1, true);
    snapshotter.sync("iris", 1, staged.files());
    assertEquals(List.of("model.onnx", "sub/vocab.txt"), Digests.listFiles(target));
    assertEquals(Digests.ofDirectory(target), staged.digest());
    assertEquals(4, staged.size());
    assertEquals(
        List.of("iris"),
        Files.list(root.resolve("store")).map(p -> p.getFileName().toString()).toList());

    Files.write(source.getParent().resolve("model.onnx"), new byte[] {7});
    var changed = stage(snapshotter, List.of("model.onnx"));
    assertThrows(StoreConflictException.class, () -> snapshotter.commit(changed, 1, false));
    assertEquals(staged.digest(), Digests.ofDirectory(target));
    assertEquals(
        List.of("1"),
        Files.list(root.resolve("store/iris")).map(p -> p.getFileName().toString()).toList());
  }

  private Snapshotter.Staged stage(Snapshotter snapshotter, List<String> files) throws Exception {
    Path models = root.resolve("models");
    SaveUnit unit = new SaveUnit("iris", 1, models.resolve("iris/1"), "iris/1");
    try (SourceTree tree = SourceTree.open(models, unit)) {
      return snapshotter.stage("iris", tree, files);
    }
  }
}
