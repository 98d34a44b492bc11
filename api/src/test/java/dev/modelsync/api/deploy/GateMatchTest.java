package dev.modelsync.api.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Manifest.Tolerance;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GateMatchTest {

  @Test
  @DisplayName("a value matches within the absolute or the relative bound, whichever is wider")
  void eitherBound() {
    Tolerance t = new Tolerance(0.01, 0.001);
    assertTrue(Gate.matches(1.0, 1.0099, t));
    assertFalse(Gate.matches(1.0, 1.0101, t));
    assertTrue(Gate.matches(1000.0, 1001.0, t), "rel 1e-3 of 1000 is 1");
    assertFalse(Gate.matches(1000.0, 1001.5, t));
    assertFalse(Gate.matches(-2.0, 2.0, t), "the sign counts");
  }

  @Test
  @DisplayName("a missing bound is no bound; both missing is an exact match")
  void missingBounds() {
    assertFalse(Gate.matches(1000.0, 1000.5, new Tolerance(0.1, null)));
    assertTrue(Gate.matches(1000.0, 1000.5, new Tolerance(null, 0.001)));
    assertTrue(Gate.matches(3.0, 3.0, new Tolerance(null, null)));
    assertFalse(Gate.matches(3.0, 3.0000001, new Tolerance(null, null)));
  }

  @Test
  @DisplayName("NaN matches only NaN and an infinity only itself, whatever the tolerance")
  void nonFinite() {
    Tolerance wide = new Tolerance(1e9, 1e9);
    assertTrue(Gate.matches(Double.NaN, Double.NaN, wide));
    assertFalse(Gate.matches(1.0, Double.NaN, wide));
    assertFalse(Gate.matches(Double.NaN, 1.0, wide));
    assertTrue(Gate.matches(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, wide));
    assertFalse(Gate.matches(Double.POSITIVE_INFINITY, 1e300, wide));
    assertFalse(Gate.matches(1.0, Double.NEGATIVE_INFINITY, wide));
  }
}
