package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestsTest {
  @TempDir Path dir;

  @Test
  @DisplayName("the digest depends on names and contents, not on write order")
  void namesAndContents() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Files.writeString(a.resolve("x.bin"), "12");
    Files.writeString(a.resolve("y.bin"), "3");
    Path b = Files.createDirectories(dir.resolve("b"));
    Files.writeString(b.resolve("y.bin"), "3");
    Files.writeString(b.resolve("x.bin"), "12");
    assertEquals(Digests.ofDirectory(a), Digests.ofDirectory(b));
    assertTrue(Digests.ofDirectory(a).matches("sha256:[0-9a-f]{64}"));

    Files.writeString(b.resolve("x.bin"), "1");
    Files.writeString(b.resolve("y.bin"), "23");
    assertNotEquals(Digests.ofDirectory(a), Digests.ofDirectory(b), "bytes moved between files");
    assertEquals(List.of("x.bin", "y.bin"), Digests.listFiles(b));
  }

  @Test
  @DisplayName("model names: the documented pattern, no traversal")
  void names() {
    assertTrue(ModelNames.isValid("iris-2.v1_a"));
    assertFalse(ModelNames.isValid(".hidden"));
    assertFalse(ModelNames.isValid("a..b"));
    assertFalse(ModelNames.isValid("a/b"));
    assertFalse(ModelNames.isValid("x".repeat(129)));
    assertEquals(12, ModelNames.parseVersion("12"));
    assertEquals(-1, ModelNames.parseVersion("0"));
    assertEquals(-1, ModelNames.parseVersion("1a"));
    assertEquals(-1, ModelNames.parseVersion("١"));
  }
}
