package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.modelsync.agent.watch.Observation;
import dev.modelsync.agent.watch.Observer;
import dev.modelsync.agent.watch.SaveUnit;
import dev.modelsync.events.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiverTest {
  @TempDir Path root;

  @Test
  @DisplayName(
      "a save whose file changes after it was looked at is not put in the store: the copy's"
          + " re-check returns its new look and leaves no copy behind")
  void changedAfterTheLook() throws Exception {
    Path version = Files.createDirectories(root.resolve("models/iris/1"));
    Files.write(version.resolve("model.onnx"), new byte[] {1, 2, 3});
    Observer observer = new Observer(root.resolve("models"), link -> {});
    SaveUnit unit = new SaveUnit("iris", 1, version, "iris/1");
    Observation looked = observer.observe(unit);
    Files.write(version.resolve("model.onnx"), new byte[] {4, 5, 6});
    Files.setLastModifiedTime(version.resolve("model.onnx"), FileTime.from(Instant.now()));
    Archiver archiver = new Archiver(new Snapshotter(root.resolve("store")), observer);

    Archiver.Outcome outcome =
        archiver.archive(unit, looked, Ledger.load(root.resolve("store")), Instant.now());

    Archiver.Changed changed = assertInstanceOf(Archiver.Changed.class, outcome);
    assertNotEquals(looked.fingerprint(), changed.fingerprint());
    assertEquals(observer.observe(unit).fingerprint(), changed.fingerprint());
    assertEquals(List.of(), Digests.listFiles(root.resolve("store/iris")));
  }

  @Test
  @DisplayName(
      "a version directory and a single file unchanged since they were looked at are stored (the"
          + " re-check sees the same names, sizes and times, partial files included)")
  void unchangedIsReady() throws Exception {
    Path models = root.resolve("models");
    Path version = Files.createDirectories(models.resolve("iris/1"));
    Files.createDirectories(version.resolve("sub"));
    Files.write(version.resolve("model.onnx"), new byte[] {1, 2, 3});
    Files.write(version.resolve("sub/vocab.txt"), new byte[] {4});
    Files.write(version.resolve("sub/.notes.swp"), new byte[] {5});
    Files.writeString(version.resolve("model.json"), "{\"file\":\"model.onnx\"}");
    Files.write(models.resolve("lin.onnx"), new byte[] {6});
    Observer observer = new Observer(models, link -> {});
    Archiver archiver = new Archiver(new Snapshotter(root.resolve("store")), observer);
    Ledger ledger = Ledger.load(root.resolve("store"));

    SaveUnit dir = new SaveUnit("iris", 1, version, "iris/1");
    Archiver.Outcome outcome = archiver.archive(dir, observer.observe(dir), ledger, Instant.now());
    SaveUnit file = new SaveUnit("lin", 0, models.resolve("lin.onnx"), "lin.onnx");
    Archiver.Outcome single = archiver.archive(file, observer.observe(file), ledger, Instant.now());

    Archiver.Ready ready = assertInstanceOf(Archiver.Ready.class, outcome);
    assertEquals(
        List.of("model.json", "model.onnx", "sub/vocab.txt"),
        ready.event().files().stream().map(f -> f.path()).toList());
    assertEquals(Digests.ofDirectory(root.resolve("store/iris/1")), ready.event().digest());
    assertEquals("OnnxRuntime", ready.event().manifest().engine());
    assertEquals(
        List.of("lin.onnx"),
        assertInstanceOf(Archiver.Ready.class, single).event().files().stream()
            .map(f -> f.path())
            .toList());
  }
}
