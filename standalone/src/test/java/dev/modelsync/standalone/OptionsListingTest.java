package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** deploy/options.json, which deploy/k8s/check.py reads, is what the programs declare now. */
class OptionsListingTest {
  @Test
  @DisplayName("deploy/options.json lists the options the agent, api and standalone jar declare")
  void listingIsCurrent() throws Exception {
    String committed = Files.readString(Path.of("..", "deploy", "options.json"));
    assertEquals(
        ConfigDocs.listing(),
        committed,
        "deploy/options.json is stale; regenerate it with ConfigDocs --json (see its javadoc)");
  }
}
