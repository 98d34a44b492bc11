package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventTypes;
import dev.modelsync.events.RolloutDecided;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RolloutDecisionsTest {
  final RolloutDecisions decisions = new RolloutDecisions();

  static RolloutDecided decided(String type, long version, int step) {
    return new RolloutDecided(type, "m", version, step, 0, "why", "r", Instant.now(), null);
  }

  @Test
  @DisplayName("the first promote or roll back of a version wins; later ones and steps are no-ops")
  void firstWins() {
    assertTrue(decisions.record(decided(EventTypes.STEPPED, 2, 1)));
    assertEquals(1, decisions.step("m", 2));
    assertTrue(decisions.record(decided(EventTypes.PROMOTED, 2, 0)));
    assertFalse(decisions.record(decided(EventTypes.ROLLED_BACK, 2, 0)));
    assertFalse(decisions.record(decided(EventTypes.PROMOTED, 2, 0)), "a duplicate");
    assertFalse(decisions.record(decided(EventTypes.STEPPED, 2, 2)));
    assertNull(decisions.refusal("m", 2), "promoted, so it may load");

    assertTrue(decisions.record(decided(EventTypes.ROLLED_BACK, 3, 0)));
    assertTrue(decisions.refusal("m", 3).startsWith("rolled back"));
  }

  @Test
  @DisplayName("a step applies only beyond the furthest so far")
  void stepsMoveForward() {
    assertEquals(0, decisions.step("m", 4));
    assertTrue(decisions.record(decided(EventTypes.STEPPED, 4, 2)));
    assertFalse(decisions.record(decided(EventTypes.STEPPED, 4, 1)));
    assertFalse(decisions.record(decided(EventTypes.STEPPED, 4, 2)));
    assertEquals(2, decisions.step("m", 4));
  }
}
