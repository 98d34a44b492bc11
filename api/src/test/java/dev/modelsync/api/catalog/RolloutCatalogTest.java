package dev.modelsync.api.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure parts of rollouts in the catalog: routing to a candidate (canary share, shadow). */
class RolloutCatalogTest {
  final Catalog catalog = new Catalog();

  private int canaryAnswers(int requests) {
    int n = 0;
    for (int i = 0; i < requests; i++) {
      ServedVersion v = catalog.acquire("m", 0);
      if (v.version() == 2) {
        n++;
      }
      v.release();
    }
    return n;
  }

  @Test
  @DisplayName(
      "a candidate serves no request naming no version until its canary share, then exactly that"
          + " share; promoted it serves them all")
  void candidateRouting() {
    catalog.add(FakeModel.version("m", 1, new FakeModel()));
    catalog.addCandidate(FakeModel.version("m", 2, new FakeModel()), false);
    assertEquals(1, catalog.serving("m").version());
    assertEquals(0, canaryAnswers(100));
    assertEquals(2, catalog.acquire("m", 2).version(), "it answers requests naming it");

    catalog.share("m", 2, 25);
    assertEquals(5, canaryAnswers(20));
    assertEquals(5, canaryAnswers(20));
    catalog.share("m", 2, 50);
    assertEquals(10, canaryAnswers(20));

    catalog.trim("m", 1);
    assertEquals(2, catalog.slot("m").versions().size(), "neither candidate nor served trimmed");

    catalog.promote("m", 2);
    assertEquals(2, catalog.serving("m").version());
    assertNull(catalog.slot("m").candidate());
    assertEquals(20, canaryAnswers(20));
  }

  @Test
  @DisplayName("a removed candidate takes its share with it; the served version answers all")
  void removedCandidate() {
    catalog.add(FakeModel.version("m", 1, new FakeModel()));
    catalog.addCandidate(FakeModel.version("m", 2, new FakeModel()), false);
    catalog.share("m", 2, 100);
    assertEquals(20, canaryAnswers(20));
    catalog.remove("m", 2);
    assertNull(catalog.slot("m").canary());
    assertEquals(0, canaryAnswers(20));
  }

  @Test
  @DisplayName(
      "a shadow's candidate answers nothing, not even a request naming it, and is left out of the"
          + " served versions; promoted it serves")
  void shadowCandidate() {
    catalog.add(FakeModel.version("m", 1, new FakeModel()));
    catalog.addCandidate(FakeModel.version("m", 2, new FakeModel()), true);
    assertNull(catalog.acquire("m", 2));
    assertNull(catalog.acquireServing("m", 2));
    assertTrue(catalog.slot("m").shadowed(2));
    assertEquals(List.of(1L, 2L), List.copyOf(catalog.slot("m").versions().keySet()));
    assertEquals(List.of(1L), List.copyOf(catalog.slot("m").served().keySet()));
    assertEquals(0, canaryAnswers(20));

    catalog.promote("m", 2);
    assertFalse(catalog.slot("m").shadowed(2));
    assertEquals(List.of(1L, 2L), List.copyOf(catalog.slot("m").served().keySet()));
    ServedVersion v = catalog.acquire("m", 2);
    assertEquals(2, v.version());
    v.release();
  }

  @Test
  @DisplayName(
      "a lease to describe the model is the serving version and takes no turn of the split")
  void describingLeaseIsNotSplit() {
    catalog.add(FakeModel.version("m", 1, new FakeModel()));
    catalog.addCandidate(FakeModel.version("m", 2, new FakeModel()), false);
    catalog.share("m", 2, 50);
    for (int i = 0; i < 20; i++) {
      ServedVersion v = catalog.acquireServing("m", 0);
      assertEquals(1, v.version());
      v.release();
    }
    assertEquals(10, canaryAnswers(20));
    ServedVersion first = catalog.acquire("m", 0);
    catalog.acquireServing("m", 0).release(); // between two requests: the split still alternates
    ServedVersion second = catalog.acquire("m", 0);
    assertNotEquals(first.version(), second.version());
    first.release();
    second.release();
  }
}
