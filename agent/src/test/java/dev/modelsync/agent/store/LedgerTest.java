package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.agent.store.Ledger.Status;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  @TempDir Path store;

  @Test
  @DisplayName("single-file versions follow the highest version the model ever had")
  void nextVersion() throws Exception {
    Ledger ledger = Ledger.load(store);
    assertEquals(1, ledger.nextVersion("iris"));
    ledger.saveQueued("iris", 1, "sha256:a", "iris.onnx", "f1");
    assertEquals(2, ledger.nextVersion("iris"));
    ledger.saveQueued("iris", 7, "sha256:b", "iris/7", "f2");
    ledger.deleteQueued("iris", 7);
    ledger.deleteAcked("iris", 7);
    assertEquals(8, ledger.nextVersion("iris"));
    assertEquals(1, ledger.latestLive("iris").orElseThrow().version());
  }

  @Test
  @DisplayName("only acknowledged saves survive a restart; pending ones are published again")
  void persistsAcknowledgedOnly() throws Exception {
    Ledger ledger = Ledger.load(store);
    ledger.saveQueued("iris", 1, "sha256:a", "iris/1", "f1");
    ledger.saveQueued("iris", 2, "sha256:b", "iris/2", "f2");
    ledger.saveAcked("iris", 1);
    ledger.saveQueued("wine", 1, "sha256:c", "wine.onnx", "f3");
    ledger.saveAcked("wine", 1);
    ledger.deleteQueued("wine", 1);
    assertEquals(2, ledger.pendingCount());
    ledger.persist();

    Ledger reloaded = Ledger.load(store);
    assertEquals(Status.PUBLISHED, reloaded.get("iris", 1).orElseThrow().status());
    assertTrue(reloaded.get("iris", 2).isEmpty());
    // the delete was not acknowledged: the version is still live, so the delete is redone
    assertEquals(
        List.of("wine.onnx"),
        reloaded.liveFrom("wine.onnx").stream().map(e -> e.source()).toList());
    assertEquals("f3", reloaded.liveFrom("wine.onnx").get(0).fingerprint());

    reloaded.deleteQueued("wine", 1);
    reloaded.deleteAcked("wine", 1);
    reloaded.persist();
    Ledger again = Ledger.load(store);
    assertEquals(Status.DELETED, again.get("wine", 1).orElseThrow().status());
    assertTrue(again.latestLive("wine").isEmpty());
    assertEquals(2, again.nextVersion("wine"));
  }
}
