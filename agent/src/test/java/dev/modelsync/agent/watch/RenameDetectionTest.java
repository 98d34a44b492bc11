package dev.modelsync.agent.watch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ctime-versus-mtime signal on this file system, the fact rule 2 of completion rests on. */
class RenameDetectionTest {
  @TempDir Path dir;

  @Test
  @DisplayName("a directory renamed into place after a clock tick shows ctime later than mtime")
  void renamedDirectory() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve(".tmp"));
    Files.write(tmp.resolve("model.onnx"), new byte[] {1});
    Thread.sleep(30);
    Path moved = Files.move(tmp, dir.resolve("1"), StandardCopyOption.ATOMIC_MOVE);
    assertTrue(Observer.renamedIn(moved, Files.getLastModifiedTime(moved)));
  }

  @Test
  @DisplayName("a directory made and filled in place does not look renamed")
  void inPlaceDirectory() throws Exception {
    Path made = Files.createDirectory(dir.resolve("2"));
    Files.write(made.resolve("model.onnx"), new byte[] {1});
    assertFalse(Observer.renamedIn(made, Files.getLastModifiedTime(made)));
    Path file = dir.resolve("x.onnx");
    Files.write(file, new byte[] {1});
    Thread.sleep(30);
    Files.write(file, new byte[] {2, 3});
    assertFalse(Observer.renamedIn(file, Files.getLastModifiedTime(file)));
  }
}
