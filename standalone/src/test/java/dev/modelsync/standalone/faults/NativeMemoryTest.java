package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.standalone.StandaloneHarness;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeMemoryTest {
  @Test
  @DisplayName(
      "200 swaps of a 2.8 MB model: closed versions release their sessions (open models stay at"
          + " the kept versions) and RSS does not grow with the swaps")
  void swapsReleaseNativeMemory(@TempDir Path dir) throws Exception {
    try (var system = StandaloneHarness.start(dir, Map.of("MODELSYNC_QUIET_MS", "100"))) {
      NativeMemory.Result r = NativeMemory.run(system, 200);
      System.out.println(r.describe());
      assertTrue(r.openAt100() <= 2 && r.openAtEnd() <= 2, r.describe());
      // 100 leaked versions would be 280 MB of weights alone; allow the JVM's own noise
      assertTrue(r.growth() < 0.5, r.describe());
    }
  }
}
