package dev.modelsync.agent.watch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
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
    assertTrue(renamed(moved));
  }

  @Test
  @DisplayName("a directory made and filled in place does not look renamed")
  void inPlaceDirectory() throws Exception {
    Path made = Files.createDirectory(dir.resolve("2"));
    Files.write(made.resolve("model.onnx"), new byte[] {1});
    assertFalse(renamed(made));
    Path file = dir.resolve("x.onnx");
    Files.write(file, new byte[] {1});
    Thread.sleep(30);
    Files.write(file, new byte[] {2, 3});
    assertFalse(renamed(file));
  }

  @Test
  @DisplayName(
      "a file written between the reads before and after its listing does not look renamed:"
          + " a writer appending in chunks once got a partial save published")
  void writtenBetweenTheReads() throws Exception {
    Path file = dir.resolve("crash.onnx");
    Files.write(file, new byte[] {1});
    Observer.Times before = Observer.Times.of(file);
    Thread.sleep(30);
    Files.write(file, new byte[] {2, 3}, StandardOpenOption.APPEND);
    Observer.Times after = Observer.Times.of(file);
    // what a single late read of ctime against the early mtime took for a rename
    assertTrue(after.ctime().compareTo(before.mtime()) > 0);
    assertFalse(Observer.renamedIn(before, after));
    // and once renamed, it does
    Thread.sleep(30);
    Path moved = Files.move(file, dir.resolve("moved.onnx"), StandardCopyOption.ATOMIC_MOVE);
    assertTrue(renamed(moved));
  }

  @Test
  @DisplayName("a write caught half-way (ctime already set, mtime not yet) does not look renamed")
  void halfWayWrite() throws Exception {
    Path file = Files.write(dir.resolve("half.onnx"), new byte[] {1});
    Observer.Times now = Observer.Times.of(file);
    Observer.Times torn =
        new Observer.Times(now.mtime(), FileTime.fromMillis(now.ctime().toMillis() + 1));
    assertFalse(Observer.renamedIn(now, torn));
    assertFalse(Observer.renamedIn(torn, now));
    assertFalse(Observer.renamedIn(null, torn));
  }

  private static boolean renamed(Path path) {
    return Observer.renamedIn(Observer.Times.of(path), Observer.Times.of(path));
  }
}
