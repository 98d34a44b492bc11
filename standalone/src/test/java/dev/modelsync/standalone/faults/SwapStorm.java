package dev.modelsync.standalone.faults;

import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Infer load on {@code connections} connections, first without swaps, then while a new version of
 * the model is saved every {@code swapEveryMs}, odd versions answering [10,11,12] and even ones
 * [20,22,24]. Every answer is checked: status 200 and exactly one of the two.
 */
public final class SwapStorm {
  static final String MODEL = "storm";
  static final String V_ODD = "[10.0,11.0,12.0]";
  static final String V_EVEN = "[20.0,22.0,24.0]";

  /** What the load saw; latencies in milliseconds, per phase. */
  public record Result(
      long baselineRequests,
      long stormRequests,
      long odd,
      long even,
      long errors,
      long wrong,
      List<String> samples,
      double baselineP99,
      double stormP99,
      int versionsSaved) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "swap storm: %d versions saved; requests %d without swaps + %d during the storm"
              + " (answers v-odd %d, v-even %d), non-200 %d, wrong answers %d%n"
              + "p99 without swaps %.2f ms, p99 during the storm %.2f ms (ratio %.2f)%s",
          versionsSaved,
          baselineRequests,
          stormRequests,
          odd,
          even,
          errors,
          wrong,
          baselineP99,
          stormP99,
          stormP99 / baselineP99,
          samples.isEmpty() ? "" : "\nfirst bad answers: " + samples);
    }
  }

  private SwapStorm() {}

  public static Result run(
      StandaloneHarness system,
      int connections,
      Duration baseline,
      Duration storm,
      long swapEveryMs)
      throws Exception {
    byte[] odd = OnnxModelWriter.affine(1f);
    byte[] even = OnnxModelWriter.affine(2f);
    StandaloneHarness.saveVersion(system.modelsDir(), MODEL, 1, odd);
    Faults.awaitAnswer(system.apiPort(), MODEL, V_ODD, Duration.ofSeconds(30));

    String path = "/v2/models/" + MODEL + "/infer";
    AtomicLong oddCount = new AtomicLong();
    AtomicLong evenCount = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong wrong = new AtomicLong();
    List<String> samples = new ArrayList<>();
    Map<Integer, List<long[]>> latencies = new ConcurrentHashMap<>();
    int[] phase = {3}; // 3 JIT warm-up (not recorded), 0 baseline, 1 storm, 2 stop
    List<Thread> workers = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Thread t =
          new Thread(
              () -> {
                long[][] mine = {new long[1 << 16], new long[1 << 16], null, new long[1 << 16]};
                int[] n = new int[4];
                KeepAliveConnection connection = null;
                while (true) {
                  int p;
                  synchronized (phase) {
                    p = phase[0];
                  }
                  if (p == 2) {
                    break;
                  }
                  long started = System.nanoTime();
                  String bad = null;
                  try {
                    if (connection == null) {
                      connection =
                          new KeepAliveConnection(system.apiPort(), path, Faults.INFER_BODY);
                    }
                    Object[] r = connection.exchange();
                    int status = (Integer) r[0];
                    String body = (String) r[1];
                    String data = status == 200 ? Faults.data(body) : null;
                    if (status != 200) {
                      errors.incrementAndGet();
                      bad = status + " " + body;
                    } else if (V_ODD.equals(data)) {
                      oddCount.incrementAndGet();
                    } else if (V_EVEN.equals(data)) {
                      evenCount.incrementAndGet();
                    } else {
                      wrong.incrementAndGet();
                      bad = body;
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    bad = e.toString();
                    closeQuietly(connection);
                    connection = null;
                  }
                  if (bad != null) {
                    synchronized (samples) {
                      if (samples.size() < 5) {
                        samples.add(bad);
                      }
                    }
                  }
                  if (n[p] == mine[p].length) {
                    mine[p] = Arrays.copyOf(mine[p], mine[p].length * 2);
                  }
                  mine[p][n[p]++] = System.nanoTime() - started;
                }
                closeQuietly(connection);
                latencies
                    .computeIfAbsent(0, k -> new ArrayList<>())
                    .add(Arrays.copyOf(mine[0], n[0]));
                latencies
                    .computeIfAbsent(1, k -> new ArrayList<>())
                    .add(Arrays.copyOf(mine[1], n[1]));
              },
              "storm-load-" + c);
      t.start();
      workers.add(t);
    }
    Thread.sleep(baseline.toMillis());
    synchronized (phase) {
      phase[0] = 0;
    }
    Thread.sleep(baseline.toMillis());
    synchronized (phase) {
      phase[0] = 1;
    }
    long stormEnd = System.nanoTime() + storm.toNanos();
    int version = 1;
    while (System.nanoTime() < stormEnd) {
      version++;
      StandaloneHarness.saveVersion(
          system.modelsDir(), MODEL, version, version % 2 == 1 ? odd : even);
      Thread.sleep(swapEveryMs);
    }
    synchronized (phase) {
      phase[0] = 2;
    }
    for (Thread t : workers) {
      t.join(60_000);
    }
    long[] base = merge(latencies.get(0));
    long[] during = merge(latencies.get(1));
    return new Result(
        base.length,
        during.length,
        oddCount.get(),
        evenCount.get(),
        errors.get(),
        wrong.get(),
        samples,
        p99(base),
        p99(during),
        version);
  }

  private static void closeQuietly(KeepAliveConnection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (java.io.IOException e) {
        // the connection is gone either way
      }
    }
  }

  private static long[] merge(List<long[]> parts) {
    long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    return all;
  }

  private static double p99(long[] sorted) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(0.99 * sorted.length) - 1;
    return sorted[Math.max(0, i)] / 1e6;
  }
}
