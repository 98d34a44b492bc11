package dev.modelsync.agent.sync;

import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.watch.SaveUnit;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sync thread's bookkeeping per save (the view after each of its tasks, the state file after
 * its acknowledgement) against the number of versions already stored, without Kafka or disk: CPU
 * microseconds per save at each history size. Runs against an older build too (it then rebuilds the
 * view with {@code SyncView.of}, as that build did).
 *
 * <pre>java -cp agent/target/classes:agent/target/test-classes:$(deps) \
 *   dev.modelsync.agent.sync.SyncViewBench 50 300 3000</pre>
 */
public final class SyncViewBench {
  private SyncViewBench() {}

  public static void main(String[] args) throws Exception {
    Method next = null;
    try {
      next = SyncView.class.getDeclaredMethod("next", Map.class, Ledger.class);
    } catch (NoSuchMethodException e) {
      // an older build: every task rebuilt the view
    }
    run(next, 300, 400); // warm-up
    for (String a : args) {
      System.out.printf(
          "history %6d versions: %8.1f us sync-thread CPU per save (view + state file)%n",
          Integer.parseInt(a), run(next, Integer.parseInt(a), 400));
    }
  }

  private static double run(Method next, int history, int saves) throws Exception {
    Path store = Files.createTempDirectory("syncview-bench");
    Ledger ledger = Ledger.load(store);
    Map<String, Tracker> trackers = new TreeMap<>();
    SyncView view = SyncView.EMPTY;
    for (int v = 1; v <= history; v++) {
      save(ledger, trackers, v).enter(Tracker.State.PUBLISHED, " as version " + v);
      ledger.saveAcked("small", v);
    }
    ledger.acknowledgedState(); // as the agent did after the last acknowledgement
    var threads = ManagementFactory.getThreadMXBean();
    long from = threads.getCurrentThreadCpuTime();
    for (int v = history + 1; v <= history + saves; v++) {
      view = step(next, view, trackers, ledger); // the change event, still waiting
      Tracker t = save(ledger, trackers, v);
      t.enter(Tracker.State.PENDING, " as version " + v);
      view = step(next, view, trackers, ledger); // queued
      ledger.saveAcked("small", v);
      t.enter(Tracker.State.PUBLISHED, " as version " + v);
      ledger.acknowledgedState();
      view = step(next, view, trackers, ledger); // acknowledged
      view = step(next, view, trackers, ledger); // a recheck that finds nothing
    }
    if (view.models().isEmpty()) {
      throw new IllegalStateException();
    }
    return (threads.getCurrentThreadCpuTime() - from) / 1e3 / saves;
  }

  private static Tracker save(Ledger ledger, Map<String, Tracker> trackers, int v) {
    String relative = "small/" + v;
    Tracker t = new Tracker(new SaveUnit("small", v, Path.of("/models", relative), relative));
    trackers.put(relative, t);
    ledger.saveQueued("small", v, "sha256:" + Integer.toHexString(v).repeat(8), relative, "f" + v);
    return t;
  }

  private static SyncView step(
      Method next, SyncView view, Map<String, Tracker> trackers, Ledger ledger) throws Exception {
    return next == null
        ? SyncView.of(trackers, ledger)
        : (SyncView) next.invoke(view, trackers, ledger);
  }
}
