package dev.modelsync.api.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CatalogTest {
  final Catalog catalog = new Catalog();

  @Test
  @DisplayName("the newest version serves; a request keeps the version it leased across a swap")
  void swapKeepsLease() {
    FakeModel m1 = new FakeModel();
    ServedVersion v1 = FakeModel.version("iris", 1, m1);
    catalog.add(v1);
    ServedVersion leased = catalog.acquire("iris", 0);
    assertSame(v1, leased);

    catalog.add(FakeModel.version("iris", 2, new FakeModel()));
    assertEquals(2, catalog.serving("iris").version());
    catalog.remove("iris", 1);
    assertEquals(0, m1.closes.get(), "v1 is still leased");
    assertNull(catalog.acquire("iris", 1), "a removed version cannot be leased");
    leased.release();
    assertEquals(1, m1.closes.get(), "closed once drained");
  }

  @Test
  @DisplayName("trim keeps the newest N and the pinned version")
  void trimKeepsNewestAndPinned() {
    FakeModel[] models = new FakeModel[5];
    for (int v = 1; v <= 4; v++) {
      models[v] = new FakeModel();
      catalog.add(FakeModel.version("m", v, models[v]));
    }
    catalog.pin("m", 1);
    List<ServedVersion> removed = catalog.trim("m", 2);
    assertEquals(List.of(2L), removed.stream().map(ServedVersion::version).toList());
    assertEquals(1, models[2].closes.get());
    assertEquals(1, catalog.serving("m").version());
    catalog.unpin("m", null);
    assertEquals(4, catalog.serving("m").version());
    catalog.trim("m", 2);
    assertEquals(List.of(3L, 4L), List.copyOf(catalog.slot("m").versions().keySet()));
  }

  @Test
  @DisplayName("a pin of a version not loaded yet serves the newest until it arrives")
  void pinBeforeLoad() {
    catalog.add(FakeModel.version("m", 3, new FakeModel()));
    catalog.pin("m", 1);
    assertEquals(3, catalog.serving("m").version());
    catalog.add(FakeModel.version("m", 1, new FakeModel()));
    assertEquals(1, catalog.serving("m").version());
  }

  @Test
  @DisplayName("removing the serving version falls back to the newest remaining one")
  void removeFallsBack() {
    catalog.add(FakeModel.version("m", 1, new FakeModel()));
    catalog.add(FakeModel.version("m", 2, new FakeModel()));
    catalog.remove("m", 2);
    assertEquals(1, catalog.serving("m").version());
    catalog.remove("m", 1);
    assertNull(catalog.acquire("m", 0));
    assertEquals(0, catalog.models().size());
  }

  @Test
  @DisplayName("a version re-added with another digest replaces and retires the old one")
  void replaceByDigest() {
    FakeModel old = new FakeModel();
    catalog.add(FakeModel.version("m", 1, old));
    ServedVersion other =
        new ServedVersion("m", 1, "sha256:other", new FakeModel(), null, Runnable::run);
    ServedVersion replaced = catalog.add(other);
    assertEquals("sha256:1", replaced.digest());
    assertEquals(1, old.closes.get());
    assertSame(other, catalog.serving("m"));
  }
}
