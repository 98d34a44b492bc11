package dev.modelsync.api.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * A version's typical run time decides whether its small requests run inline on the event loop
 * ({@code MODELSYNC_INLINE_MAX_MICROS}): one stalled run must not move it, a model that got slower
 * must.
 */
class VersionMetersTest {
  private static final long INLINE_MAX = 100_000; // the default 100 µs

  private static VersionMeters fastModel() {
    VersionMeters m = new VersionMeters(new SimpleMeterRegistry(), "m", "1");
    for (int i = 0; i < 16; i++) {
      m.ran(3_000);
    }
    assertEquals(3_000, m.typicalRunNanos());
    return m;
  }

  @Test
  void unknownUntilSixteenRunsThenTheSlowestOfThem() {
    VersionMeters m = new VersionMeters(new SimpleMeterRegistry(), "m", "1");
    for (int i = 0; i < 15; i++) {
      m.ran(i == 3 ? 50_000 : 3_000);
    }
    assertEquals(Long.MAX_VALUE, m.typicalRunNanos());
    m.ran(3_000);
    assertEquals(50_000, m.typicalRunNanos());
  }

  @Test
  void stallsBarelyMoveTheTypicalRun() {
    VersionMeters m = fastModel();
    for (int round = 0; round < 5; round++) {
      for (int thread = 0; thread < 3; thread++) {
        m.ran(20_000_000); // a 20 ms GC pause stalls the runs on three threads at once
      }
      assertTrue(m.typicalRunNanos() <= 10_000, "after a stall: " + m.typicalRunNanos());
      for (int i = 0; i < 60; i++) {
        m.ran(3_000);
      }
    }
    assertTrue(m.typicalRunNanos() < 3_100, "back to 3 µs: " + m.typicalRunNanos());
  }

  @Test
  void aModelThatGotSlowerIsSeenWithinADozenRuns() {
    VersionMeters m = fastModel();
    int runs = 0;
    while (m.typicalRunNanos() <= INLINE_MAX) {
      m.ran(2_000_000);
      runs++;
    }
    assertTrue(runs <= 12, "2 ms runs seen after " + runs);
    for (int i = 0; i < 100; i++) {
      m.ran(2_000_000);
    }
    assertTrue(m.typicalRunNanos() > 1_900_000, "converges: " + m.typicalRunNanos());
  }

  @Test
  void aSomewhatSlowerRunCountsWhole() {
    VersionMeters m = fastModel();
    m.ran(11_000); // under 4x the typical run: averaged in as it is
    assertEquals(3_000 + 8_000 / 8, m.typicalRunNanos());
  }
}
