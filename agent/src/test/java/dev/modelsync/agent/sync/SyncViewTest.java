package dev.modelsync.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.watch.SaveUnit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncViewTest {
  @TempDir Path store;

  private final Map<String, Tracker> trackers = new TreeMap<>();

  private Tracker track(String model, long version) {
    String relative = model + "/" + version;
    return trackers.computeIfAbsent(
        relative, r -> new Tracker(new SaveUnit(model, version, Path.of("/models", r), r)));
  }

  @Test
  @DisplayName("the view kept up after each change equals one built from scratch")
  void incrementalEqualsRebuild() throws Exception {
    Ledger ledger = Ledger.load(store);
    List<Consumer<Ledger>> steps =
        List.of(
            l -> track("iris", 1),
            l -> l.saveQueued("iris", 1, "d1", "iris/1", "f1"),
            l -> track("iris", 1).enter(Tracker.State.PENDING, " as version 1"),
            l -> {}, // a task that changed nothing
            l -> l.saveAcked("iris", 1),
            l -> track("iris", 1).settle("f1", Tracker.State.PUBLISHED, " as version 1"),
            l -> track("wine", 2).enter(Tracker.State.WAITING, ": still changing"),
            l -> l.saveQueued("wine", 2, "d2", "wine/2", "f2"),
            l -> l.reserve("lin", 4),
            l -> l.deleteQueued("iris", 1),
            l -> trackers.remove("iris/1"),
            l -> l.deleteAcked("iris", 1),
            l -> l.saveAcked("wine", 2),
            l -> track("wine", 2).enter(Tracker.State.PUBLISHED, " as version 2"));
    SyncView view = SyncView.EMPTY;
    for (Consumer<Ledger> step : steps) {
      step.accept(ledger);
      view = view.next(trackers, ledger);
      assertEquals(SyncView.of(trackers, ledger), view);
    }
    assertEquals(Map.of("wine/2", "d2"), view.liveDigests());
    assertEquals(0L, view.models().get("pending"));
  }

  @Test
  @DisplayName("a task that changed nothing keeps the view, and the view cannot be changed")
  void unchangedIsShared() throws Exception {
    Ledger ledger = Ledger.load(store);
    track("iris", 1);
    ledger.saveQueued("iris", 1, "d1", "iris/1", "f1");
    SyncView view = SyncView.of(trackers, ledger);
    assertSame(view, view.next(trackers, ledger));
    assertThrows(UnsupportedOperationException.class, () -> view.seen().put("x", "y"));
    assertThrows(UnsupportedOperationException.class, () -> ledger.all().clear());
  }
}
