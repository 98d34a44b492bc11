package dev.modelsync.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventCodec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WarmUpTest {
  private static final EventCodec CODEC = new EventCodec(URI.create("/test"));

  @Test
  void eachRoundArchivesBothLayoutsAndNothingIsLeftBehind() throws Exception {
    WarmUp.Saves saves = new WarmUp.Saves(CODEC, 500);
    Path root;
    try (saves) {
      saves.setup(System.nanoTime() + Duration.ofSeconds(10).toNanos());
      root = saves.root();
      for (int i = 0; i < 5; i++) {
        saves.round();
      }
      // a version directory and a single file, each copied, digested and encoded every round
      assertEquals(10, saves.ready);
      assertTrue(Files.isDirectory(root.resolve("store")));
    }
    assertFalse(Files.exists(root), "the warm-up's directory is deleted when it ends");
  }

  @Test
  void runsTheRoundsAskedFor() throws Exception {
    assertEquals(7, WarmUp.run(CODEC, 500, 7, Duration.ofSeconds(30)).rounds());
  }
}
