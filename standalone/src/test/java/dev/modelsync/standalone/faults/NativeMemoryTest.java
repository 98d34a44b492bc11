package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
      "200 swaps of a 2.8 MB model: closed versions release their ONNX Runtime sessions and"
          + " NDManagers (the open counts stay at the kept versions) and RSS does not grow with"
          + " the swaps")
  void swapsReleaseNativeMemory(@TempDir Path dir) throws Exception {
    try (var system = StandaloneHarness.start(dir, Map.of("MODELSYNC_QUIET_MS", "100"))) {
      NativeMemory.Result r = NativeMemory.run(NativeMemory.Target.of(system), 200);
      System.out.println(r.describe());
      for (NativeMemory.Snapshot s : new NativeMemory.Snapshot[] {r.at100(), r.atEnd()}) {
        // the serving version and the one before it (MODELSYNC_KEEP_VERSIONS' default)
        assertTrue(s.modelsOpen() >= 1 && s.modelsOpen() <= 2, r.describe());
        // one session and one manager per open ONNX model (requests on them make no manager)
        assertEquals(s.modelsOpen(), s.ortSessions(), r.describe());
        assertEquals(s.modelsOpen(), s.ndManagers(), r.describe());
      }
      // 100 leaked versions would be 280 MB of weights alone; allow the JVM's own noise
      assertTrue(r.growth() < 0.5, r.describe());
    }
  }
}
