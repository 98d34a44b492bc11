package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.agent.watch.SourceTree;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.files.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
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
    // each file's SHA-256 as `printf '\x01\x02\x03' | sha256sum` and `printf '\x04' | sha256sum`
    assertEquals(
        List.of(
            new FileEntry(
                "model.onnx",
                3,
                "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"),
            new FileEntry(
                "sub/vocab.txt",
                1,
                "e52d9c508c502347344d8c07ad91cbd6068afc75ff6292f062a09ca381c89e71")),
        staged.files());
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

  @Test
  @DisplayName(
      "a directory swapped for a link after the save was opened fails the copy: nothing is read"
          + " from where the link points, and the unit no longer opens")
  void linkSwappedDuringCopy() throws Exception {
    Path models = root.resolve("models");
    Path version = Files.createDirectories(models.resolve("iris/1/sub")).getParent();
    Files.write(version.resolve("model.onnx"), new byte[] {1});
    Files.write(version.resolve("sub/vocab.txt"), new byte[] {2});
    Path outside = Files.createDirectories(root.resolve("outside/sub"));
    Files.write(outside.resolve("vocab.txt"), new byte[] {66});
    Snapshotter snapshotter = new Snapshotter(root.resolve("store"));
    SaveUnit unit = new SaveUnit("iris", 1, version, "iris/1");
    try (SourceTree tree = SourceTree.open(models, unit)) {
      // between the look and the copy, sub/ becomes a link out of the models directory
      Files.move(version.resolve("sub"), root.resolve("parked"));
      Files.createSymbolicLink(version.resolve("sub"), outside);
      assertThrows(
          SourceChangedException.class,
          () -> snapshotter.stage("iris", tree, List.of("model.onnx", "sub/vocab.txt")));
    }
    assertEquals(List.of(), Files.list(root.resolve("store/iris")).toList());
    // the version directory, and the model directory, swapped for links: the unit does not open
    Files.move(version, root.resolve("parked-version"));
    Files.createSymbolicLink(version, root.resolve("outside"));
    assertThrows(SourceTree.LinkException.class, () -> SourceTree.open(models, unit));
    Files.delete(version);
    Files.move(models.resolve("iris"), root.resolve("parked-model"));
    Files.createSymbolicLink(models.resolve("iris"), root.resolve("parked-model"));
    assertThrows(SourceTree.LinkException.class, () -> SourceTree.open(models, unit));
  }

  @Test
  @DisplayName(
      "files of several times the copy buffer (64 KiB) and a little over it are copied and"
          + " digested whole, beside a small one")
  void largeFiles() throws Exception {
    Path source = Files.createDirectories(root.resolve("models/iris/1"));
    byte[] large = new byte[(3 << 20) + 12345];
    new Random(7).nextBytes(large);
    byte[] medium = Arrays.copyOf(large, 70_000);
    Files.write(source.resolve("model.onnx"), large);
    Files.write(source.resolve("weights.bin"), medium);
    Files.write(source.resolve("model.json"), new byte[] {'{', '}'});
    Snapshotter snapshotter = new Snapshotter(root.resolve("store"));
    var staged = stage(snapshotter, List.of("model.json", "model.onnx", "weights.bin"));
    Path target = snapshotter.commit(staged, 1, true);
    assertArrayEquals(large, Files.readAllBytes(target.resolve("model.onnx")));
    assertArrayEquals(medium, Files.readAllBytes(target.resolve("weights.bin")));
    assertEquals(Digests.ofDirectory(target), staged.digest());
    assertEquals(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(large)),
        staged.files().get(1).sha256());
    assertEquals(large.length + medium.length + 2, staged.size());
  }

  @Test
  @DisplayName(
      "a model's store directory removed after a version is made again for the next one, and its"
          + " sync finds it")
  void modelDirectoryMadeAgain() throws Exception {
    Path source = Files.createDirectories(root.resolve("models/iris/1"));
    Files.write(source.resolve("model.onnx"), new byte[] {1});
    Snapshotter snapshotter = new Snapshotter(root.resolve("store"));
    var first = stage(snapshotter, List.of("model.onnx"));
    snapshotter.commit(first, 1, true);
    snapshotter.sync("iris", 1, first.files());
    Trees.delete(root.resolve("store/iris"));

    var again = stage(snapshotter, List.of("model.onnx"));
    Path target = snapshotter.commit(again, 1, true);
    snapshotter.sync("iris", 1, again.files());
    assertEquals(List.of("1"), names(root.resolve("store/iris")));
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(target.resolve("model.onnx")));
  }

  @Test
  @DisplayName(
      "the store directory is synced for a model's first version, not for its next ones, and again"
          + " each time the model's directory is removed and made again (often with the same inode)")
  void modelEntrySyncedAgainWhenMadeAgain() throws Exception {
    Path source = Files.createDirectories(root.resolve("models/iris/1"));
    Files.write(source.resolve("model.onnx"), new byte[] {1});
    Path store = root.resolve("store");
    List<Path> synced = new ArrayList<>();
    Snapshotter snapshotter = new Snapshotter(store, synced::add);
    long version = 0;
    for (int round = 1; round <= 4; round++) {
      for (int save = 0; save < 2; save++) {
        var staged = stage(snapshotter, List.of("model.onnx"));
        snapshotter.commit(staged, ++version, true);
        snapshotter.sync("iris", version, staged.files());
      }
      assertEquals(round, Collections.frequency(synced, store), "store syncs after round " + round);
      Trees.delete(store.resolve("iris")); // by hand, between two saves
    }
    // another process: a model directory it did not make is synced once too
    Snapshotter restarted = new Snapshotter(store, synced::add);
    Files.createDirectories(store.resolve("iris"));
    synced.clear();
    for (int save = 0; save < 2; save++) {
      var staged = stage(restarted, List.of("model.onnx"));
      restarted.commit(staged, ++version, true);
      restarted.sync("iris", version, staged.files());
    }
    assertEquals(1, Collections.frequency(synced, store));
  }

  private Snapshotter.Staged stage(Snapshotter snapshotter, List<String> files) throws Exception {
    Path models = root.resolve("models");
    SaveUnit unit = new SaveUnit("iris", 1, models.resolve("iris/1"), "iris/1");
    try (SourceTree tree = SourceTree.open(models, unit)) {
      return snapshotter.stage("iris", tree, files);
    }
  }

  private List<String> names(Path dir) throws Exception {
    try (var list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @DisplayName(
      "committing the same bytes again keeps the version and drops the copy; other bytes replace"
          + " it only when allowed, leaving no temporary directory")
  void recommitAndReplace() throws Exception {
    Path source = Files.createDirectories(root.resolve("models/iris/1"));
    Files.write(source.resolve("model.onnx"), new byte[] {1, 2, 3});
    Snapshotter snapshotter = new Snapshotter(root.resolve("store"));
    Path target = snapshotter.commit(stage(snapshotter, List.of("model.onnx")), 1, false);

    var same = stage(snapshotter, List.of("model.onnx"));
    assertEquals(target, snapshotter.commit(same, 1, false));
    assertEquals(List.of("1"), names(root.resolve("store/iris")));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target.resolve("model.onnx")));

    Files.write(source.resolve("model.onnx"), new byte[] {7});
    var changed = stage(snapshotter, List.of("model.onnx"));
    assertEquals(target, snapshotter.commit(changed, 1, true));
    assertEquals(List.of("1"), names(root.resolve("store/iris")));
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(target.resolve("model.onnx")));
    assertEquals(changed.digest(), Digests.ofDirectory(target));
  }

  @Test
  @DisplayName("a discarded copy leaves nothing in the store")
  void discard() throws Exception {
    Path source = Files.createDirectories(root.resolve("models/iris/1"));
    Files.write(source.resolve("model.onnx"), new byte[] {1});
    Snapshotter snapshotter = new Snapshotter(root.resolve("store"));
    var staged = stage(snapshotter, List.of("model.onnx"));
    assertEquals(1, names(root.resolve("store/iris")).size());
    snapshotter.discard(staged);
    assertEquals(List.of(), names(root.resolve("store/iris")));
  }

  @Test
  @DisplayName(
      "leftover temporary copies are removed at start; versions and files beside them stay, and"
          + " a store not made yet is fine")
  void removeLeftovers() throws Exception {
    new Snapshotter(root.resolve("no-store-yet")).removeLeftovers();
    Path store = root.resolve("store");
    Files.createDirectories(store.resolve("iris/.tmp-1234/sub"));
    Files.write(store.resolve("iris/.tmp-1234/sub/model.onnx"), new byte[] {1});
    Files.createDirectories(store.resolve("iris/.tmp-old-5678"));
    Files.createDirectories(store.resolve("iris/1"));
    Files.write(store.resolve("iris/1/model.onnx"), new byte[] {2});
    Files.createDirectories(store.resolve("wine/.tmp-9"));
    Files.write(store.resolve("notes.txt"), new byte[] {3});

    new Snapshotter(store).removeLeftovers();

    assertEquals(List.of("1"), names(store.resolve("iris")));
    assertEquals(List.of(), names(store.resolve("wine")));
    assertEquals(List.of("iris", "notes.txt", "wine"), names(store));
    assertArrayEquals(new byte[] {2}, Files.readAllBytes(store.resolve("iris/1/model.onnx")));
  }
}
