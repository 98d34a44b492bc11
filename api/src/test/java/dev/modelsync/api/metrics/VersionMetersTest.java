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
  void aLoneStallLeavesTheTypicalRunAlone() {
    VersionMeters m = fastModel();
    for (int round = 0; round < 5; round++) {
      m.ran(5_000_000); // the thread preempted for 5 ms mid-run
      assertTrue(m.typicalRunNanos() <= INLINE_MAX, "after a stall: " + m.typicalRunNanos());
      m.ran(3_000);
      m.ran(3_000);
    }
    assertEquals(3_000, m.typicalRunNanos());
  }

  @Test
  void aModelThatGotSlowerIsSeenAfterTwoRuns() {
    VersionMeters m = fastModel();
    m.ran(2_000_000);
    m.ran(2_000_000);
    assertTrue(m.typicalRunNanos() > INLINE_MAX, "after two 2 ms runs: " + m.typicalRunNanos());
    for (int i = 0; i < 50; i++) {
      m.ran(2_000_000);
    }
    assertTrue(m.typicalRunNanos() > 1_900_000, "converges: " + m.typicalRunNanos());
  }

  @Test
  void aSomewhatSlowerRunCountsAtOnce() {
    VersionMeters m = fastModel();
    m.ran(11_000); // under 4x the typical run: an ordinary run, averaged in
    assertEquals(3_000 + 8_000 / 8, m.typicalRunNanos());
  }
}
