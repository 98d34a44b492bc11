package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.agent.store.Ledger.Status;
import dev.modelsync.events.Digests;
import dev.modelsync.events.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    assertEquals(0, reloaded.pendingCount(), "what was pending is not in the state file");
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

  @Test
  @DisplayName(
      "a version published once but gone from the store is reserved: single files go above it,"
          + " nothing below the next version changes it")
  void reserve() throws Exception {
    Ledger ledger = Ledger.load(store);
    assertTrue(ledger.rebuilt(), "no state file yet: rebuilt (from an empty store)");
    ledger.reserve("iris", 5);
    assertEquals(6, ledger.nextVersion("iris"));
    assertEquals(Status.DELETED, ledger.get("iris", 5).orElseThrow().status());
    ledger.reserve("iris", 3);
    assertTrue(ledger.get("iris", 3).isEmpty());
    ledger.reserve("iris", 6);
    assertEquals(7, ledger.nextVersion("iris"));
    assertEquals(0, ledger.pendingCount());
    ledger.persist();
    assertFalse(Ledger.load(store).rebuilt(), "read from its state file");
  }

  @Test
  @DisplayName(
      "a corrupt state file is set aside and the ledger rebuilt from the store, each version"
          + " published from model/version")
  void corruptStateRebuilt() throws Exception {
    Path version = Files.createDirectories(store.resolve("iris/1"));
    Files.write(version.resolve("model.onnx"), new byte[] {1, 2, 3});
    Ledger first = Ledger.load(store);
    Files.createDirectories(first.file().getParent());
    Files.write(first.file(), "{not json".getBytes(StandardCharsets.UTF_8));
    Ledger rebuilt = Ledger.load(store);
    assertTrue(rebuilt.rebuilt());
    assertTrue(Files.exists(first.file().resolveSibling("state.json.corrupt")));
    Ledger.Entry entry = rebuilt.get("iris", 1).orElseThrow();
    assertEquals(Status.PUBLISHED, entry.status());
    assertEquals("iris/1", entry.source());
    assertEquals(Digests.ofDirectory(version), entry.digest());
    assertEquals(2, rebuilt.nextVersion("iris"));
  }

  @Test
  @DisplayName(
      "a state file that fails after a good entry is rebuilt from the store alone: the entry read"
          + " before the bad one is not kept")
  void corruptAfterAnEntry() throws Exception {
    Ledger first = Ledger.load(store);
    first.saveQueued("iris", 1, "sha256:a", "iris/1", "f1");
    first.saveAcked("iris", 1);
    first.saveQueued("wine", 1, "sha256:b", "wine/1", "f2");
    first.saveAcked("wine", 1);
    first.persist();
    String state = Files.readString(first.file());
    assertTrue(state.contains("\"wine\""), state);
    Files.writeString(first.file(), state.replace("\"wine\"", "\"../wine\""));

    Ledger rebuilt = Ledger.load(store);
    assertTrue(rebuilt.rebuilt());
    assertEquals(List.of(), rebuilt.all(), "the store is empty, so is the rebuilt ledger");
  }

  @Test
  @DisplayName(
      "forgetting unannounced versions drops only published ones the topic lacks, and a model"
          + " left with none")
  void forgetUnannounced() throws Exception {
    Ledger ledger = Ledger.load(store);
    ledger.saveQueued("iris", 1, "sha256:a", "iris/1", "f1");
    ledger.saveAcked("iris", 1);
    ledger.saveQueued("iris", 2, "sha256:b", "iris/2", "f2");
    ledger.saveAcked("iris", 2);
    ledger.saveQueued("iris", 3, "sha256:c", "iris/3", "f3"); // pending: not published yet
    ledger.saveQueued("wine", 1, "sha256:d", "wine/1", "f4");
    ledger.saveAcked("wine", 1);

    List<Ledger.Entry> forgotten =
        ledger.forgetUnannounced(e -> e.model().equals("iris") && e.version() == 1);

    assertEquals(
        List.of("iris/2", "wine/1"),
        forgotten.stream().map(e -> e.model() + "/" + e.version()).toList());
    assertEquals(Status.PUBLISHED, ledger.get("iris", 1).orElseThrow().status());
    assertTrue(ledger.get("iris", 2).isEmpty());
    assertEquals(Status.SAVE_PENDING, ledger.get("iris", 3).orElseThrow().status());
    assertTrue(ledger.get("wine", 1).isEmpty());
    assertEquals(1, ledger.nextVersion("wine"), "no version of wine is left");
  }

  @Test
  @DisplayName(
      "the state file kept piece by piece is the one Jackson writes whole, after each change")
  void stateEqualsWholeEncoding() throws Exception {
    Ledger ledger = Ledger.load(store);
    List<Runnable> steps =
        List.of(
            () -> ledger.saveQueued("iris", 1, "sha256:a", "iris/1", "f1"),
            () -> ledger.saveAcked("iris", 1),
            () -> ledger.saveQueued("iris", 2, "sha256:b", "iris/2", null),
            () -> ledger.saveQueued("apple", 3, "sha256:c", "apple.onnx", "f3"),
            () -> ledger.saveAcked("apple", 3),
            () -> ledger.saveAcked("iris", 2),
            () -> ledger.deleteQueued("iris", 1),
            () -> ledger.deleteAcked("iris", 1),
            () -> ledger.reserve("wine", 5));
    for (Runnable step : steps) {
      step.run();
      List<Ledger.Persisted> acked =
          ledger.all().stream().filter(Ledger.Entry::saveAcked).map(Ledger::persisted).toList();
      assertEquals(
          Json.newMapper().writeValueAsString(new Ledger.StateFile(acked)),
          new String(ledger.acknowledgedState(), StandardCharsets.UTF_8));
    }
    ledger.persist();
    assertEquals(4, Ledger.load(store).all().size(), "iris 1 and 2, apple 3, wine 5");
  }
}
