package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.BackgroundWarmUp;
import dev.modelsync.events.EventKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadWarmUpTest {
  private static final long MAX_TENSOR_BYTES = 1 << 20;

  @Test
  @DisplayName("loads the tiny model the asked number of times and leaves no directory behind")
  void loadsAndCleansUp(@TempDir Path tmp) throws Exception {
    BackgroundWarmUp.Outcome o =
        LoadWarmUp.run(40, Duration.ofSeconds(60), Optional.empty(), 1, MAX_TENSOR_BYTES, tmp);

    assertEquals(40, o.rounds());
    assertTrue(o.lastMedianMs() > 0, o.toString());
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(), left.toList(), "its temporary store is deleted");
    }
  }

  @Test
  @DisplayName(
      "each round swaps the loaded version into the warm-up's own catalog and retires the one"
          + " before it, as the deployer does")
  void swapsEachVersionIn(@TempDir Path tmp) throws Exception {
    LoadWarmUp.Loads loads = new LoadWarmUp.Loads(Optional.empty(), 1, MAX_TENSOR_BYTES, tmp);

    LoadWarmUp.run(loads, 25, Duration.ofSeconds(60));

    assertEquals(25, loads.versions());
    assertEquals(1, loads.mostKept(), "the version before is retired on each swap");
  }

  @Test
  @DisplayName("with an event key, the signed event is checked on each round like a real one")
  void signedEvents(@TempDir Path tmp) throws Exception {
    EventKey key = EventKey.of("k".repeat(EventKey.MIN_LENGTH));

    BackgroundWarmUp.Outcome o =
        LoadWarmUp.run(10, Duration.ofSeconds(60), Optional.of(key), 1, MAX_TENSOR_BYTES, tmp);

    assertEquals(10, o.rounds());
  }

  @Test
  @DisplayName("the budget ends it: a million loads asked, it stops when the time is up")
  void budgetBoundsIt(@TempDir Path tmp) throws Exception {
    BackgroundWarmUp.Outcome o =
        LoadWarmUp.run(
            1_000_000, Duration.ofSeconds(1), Optional.empty(), 1, MAX_TENSOR_BYTES, tmp);

    assertTrue(o.rounds() > 0 && o.rounds() < 1_000_000, o.toString());
  }

  @Test
  @DisplayName("0 rounds: nothing runs, and the start completes at once with nothing")
  void offWhenZero() throws Exception {
    assertEquals(
        Optional.empty(),
        LoadWarmUp.start(0, Optional.empty(), 1, MAX_TENSOR_BYTES).get(1, TimeUnit.SECONDS));
  }
}
