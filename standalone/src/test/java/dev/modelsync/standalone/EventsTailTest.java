package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.RolloutDecided;
import dev.modelsync.events.RolloutMeasures;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventsTailTest {
  final EventCodec codec = new EventCodec(URI.create("/modelsync/test"));
  final Instant at = Instant.parse("2026-12-02T05:00:00Z");

  @Test
  @DisplayName("modelsync events prints a rollout's decisions, with a canary's new share")
  void decisions() {
    String stepped =
        EventsTail.describe(
            codec,
            codec.encode(
                new RolloutDecided(
                    EventTypes.STEPPED, "iris", 2, 1, 25, "ok so far", "api-1", at, null)));
    assertEquals(
        "2026-12-02T05:00:00Z stepped    iris v2 on api-1 to 25% reason: ok so far", stepped);
    String rolledBack =
        EventsTail.describe(
            codec,
            codec.encode(
                new RolloutDecided(
                    EventTypes.ROLLED_BACK, "iris", 2, 0, 0, "diverged", "api-2", at, null)));
    assertEquals("2026-12-02T05:00:00Z rolled_back iris v2 on api-2 reason: diverged", rolledBack);
  }

  @Test
  @DisplayName("modelsync events prints a shadow's divergence from its progress status")
  void progress() {
    RolloutMeasures m =
        new RolloutMeasures("shadow", 1, null, 12, 3L, 6.0, 3.0, 0.5, 1.25, 0.0, null, null, null);
    String line =
        EventsTail.describe(
            codec,
            codec.encode(
                new ModelStatus(
                    EventTypes.ROLLOUT_PROGRESS,
                    "iris",
                    2,
                    null,
                    "api-1",
                    null,
                    null,
                    null,
                    at,
                    null,
                    m)));
    assertTrue(
        line.endsWith(
            "shadow beside v1: 12 requests (3 dropped), max abs 6.0, mean abs 3.0, 0.5 of rows"
                + " beyond tolerance, p99 1.25 ms"),
        line);
    assertTrue(line.contains("rollout_progress"), line);
  }
}
