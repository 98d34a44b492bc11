package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.events.Engines;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoaderExtensionsTest {
  @Test
  @DisplayName("each standard loader takes exactly its engine's rows of the contract's table")
  void loadersMatchTheTable() {
    Set<String> engines = new TreeSet<>();
    for (ModelLoader loader : EngineRegistry.standardLoaders(0)) {
      assertEquals(Engines.extensionsOf(loader.engine()), loader.extensions(), loader.engine());
      engines.add(loader.engine());
    }
    // one loader per engine of the table, none without a row
    assertEquals(Engines.names(), engines);
  }
}
