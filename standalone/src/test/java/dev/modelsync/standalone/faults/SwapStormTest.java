package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.standalone.StandaloneHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwapStormTest {
  @Test
  @DisplayName(
      "32 connections inferring while a version is saved every 200 ms for 15 s: every answer is"
          + " 200 and exactly v-odd's or v-even's numbers")
  void swapStorm(@TempDir Path dir) throws Exception {
    try (var system = StandaloneHarness.start(dir, Map.of())) {
      SwapStorm.Result r =
          SwapStorm.run(system, 32, Duration.ofSeconds(4), Duration.ofSeconds(15), 200);
      System.out.println(r.describe());
      assertEquals(0, r.errors(), r.describe());
      assertEquals(0, r.wrong(), r.describe());
      assertTrue(r.odd() > 0 && r.even() > 0, "both versions answered: " + r.describe());
      String last = r.versionsSaved() % 2 == 1 ? SwapStorm.V_ODD : SwapStorm.V_EVEN;
      Faults.awaitAnswer(system.apiPort(), SwapStorm.MODEL, last, Duration.ofSeconds(30));
    }
  }
}
