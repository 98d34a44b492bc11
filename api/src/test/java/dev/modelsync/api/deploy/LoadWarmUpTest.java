package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoadWarmUpTest {
  private static final long MAX_TENSOR_BYTES = 1 << 20;

  @Test
  @DisplayName("loads the tiny model the asked number of times and leaves no directory behind")
  void loadsAndCleansUp() throws Exception {
    long before = warmUpDirs();

    LoadWarmUp.Outcome o =
        LoadWarmUp.run(40, Duration.ofSeconds(60), Optional.empty(), 1, MAX_TENSOR_BYTES);

    assertEquals(40, o.rounds());
    assertTrue(o.lastMedianMs() > 0, o.toString());
    assertEquals(before, warmUpDirs(), "its temporary store is deleted");
  }

  @Test
  @DisplayName("with an event key, the signed event is checked on each round like a real one")
  void signedEvents() throws Exception {
    EventKey key = EventKey.of("k".repeat(EventKey.MIN_LENGTH));

    LoadWarmUp.Outcome o =
        LoadWarmUp.run(10, Duration.ofSeconds(60), Optional.of(key), 1, MAX_TENSOR_BYTES);

    assertEquals(10, o.rounds());
  }

  @Test
  @DisplayName("the budget ends it: a million loads asked, it stops when the time is up")
  void budgetBoundsIt() throws Exception {
    LoadWarmUp.Outcome o =
        LoadWarmUp.run(1_000_000, Duration.ofSeconds(1), Optional.empty(), 1, MAX_TENSOR_BYTES);

    assertTrue(o.rounds() > 0 && o.rounds() < 1_000_000, o.toString());
  }

  @Test
  @DisplayName("0 rounds: nothing runs, and the start completes at once with nothing")
  void offWhenZero() throws Exception {
    assertEquals(
        Optional.empty(),
        LoadWarmUp.start(0, Optional.empty(), 1, MAX_TENSOR_BYTES).get(1, TimeUnit.SECONDS));
  }

  private static long warmUpDirs() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("modelsync-load-warmup")).count();
    }
  }
}
