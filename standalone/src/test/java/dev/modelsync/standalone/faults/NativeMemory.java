package dev.modelsync.standalone.faults;

import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Swaps a model of a few MB of weights {@code swaps} times through the whole system (save, agent,
 * Kafka, api) and measures the api's process after swap 100 and after the last: RSS, committed Java
 * heap, the JVM's own native memory (NMT, when the process runs with it), and what the engines hold
 * open. Two seeds alternate so every version's digest differs from the one before; versions older
 * than three are deleted from the models directory and the store to keep the disk small.
 */
public final class NativeMemory {
  static final String MODEL = "mem";
  static final int HIDDEN = 100_000;
  private static final double MB = 1024 * 1024;
  private static final int READINGS = 4;
  private static final long READING_GAP_MS = 1_500;

  /**
   * Where the swaps go and whose memory is measured.
   *
   * @param pid the api's process: this JVM for the in-process harness, or a child
   */
  public record Target(Path modelsDir, Path storeDir, int apiPort, long pid) {
    public static Target of(StandaloneHarness system) {
      return new Target(
          system.modelsDir(), system.storeDir(), system.apiPort(), ProcessHandle.current().pid());
    }
  }

  /**
   * One reading of the api process.
   *
   * @param nmtKb committed memory NMT accounts for (heap included), or -1 without NMT
   * @param nmtCategoriesKb NMT's committed kB by category (empty without NMT)
   */
  public record Snapshot(
      int swap,
      long rssKb,
      long rssAnonKb,
      long heapCommittedBytes,
      long nmtKb,
      Map<String, Long> nmtCategoriesKb,
      double modelsOpen,
      double ndManagers,
      double ortSessions) {
    /** RSS that is not Java heap: the JVM's own native memory plus the engines'. */
    double nonHeapMb() {
      return rssKb / 1024.0 - heapCommittedBytes / MB;
    }

    public String describe() {
      return String.format(
          Locale.ROOT,
          "after swap %d: RSS %.1f MB (anonymous %.1f MB; heap committed %.1f MB, rest %.1f MB%s); open: models %.0f,"
              + " ONNX Runtime sessions %.0f, NDManagers %.0f",
          swap,
          rssKb / 1024.0,
          rssAnonKb / 1024.0,
          heapCommittedBytes / MB,
          nonHeapMb(),
          nmtKb < 0
              ? ""
              : String.format(
                  Locale.ROOT,
                  "; NMT committed %.1f MB, of which not heap %.1f MB; outside NMT %.1f MB",
                  nmtKb / 1024.0,
                  nmtKb / 1024.0 - heapCommittedBytes / MB,
                  (rssKb - nmtKb) / 1024.0),
          modelsOpen,
          ortSessions,
          ndManagers);
    }
  }

  /** The readings after swap 100 and after the last. */
  public record Result(int swaps, Snapshot at100, Snapshot atEnd) {
    /** NMT categories whose committed memory changed by 1 MB or more, largest change first. */
    public String nmtChanges() {
      Map<String, Long> delta = new TreeMap<>();
      atEnd
          .nmtCategoriesKb()
          .forEach((k, v) -> delta.put(k, v - at100.nmtCategoriesKb().getOrDefault(k, 0L)));
      return delta.entrySet().stream()
          .filter(e -> Math.abs(e.getValue()) >= 1024)
          .sorted((a, b) -> Long.compare(Math.abs(b.getValue()), Math.abs(a.getValue())))
          .map(e -> String.format(Locale.ROOT, "%s %+.1f MB", e.getKey(), e.getValue() / 1024.0))
          .collect(Collectors.joining(", "));
    }

    public double growth() {
      return (double) atEnd.rssKb() / at100.rssKb() - 1;
    }

    public String describe() {
      return String.format(
              Locale.ROOT,
              "native memory: %d swaps of a %.1f MB model%n  %s%n  %s%n  RSS growth from swap 100"
                  + " to %d: %+.1f%% (ratio %.3f); heap committed %+.1f MB, rest %+.1f MB",
              swaps,
              OnnxModelWriter.withHiddenLayer(HIDDEN, 0).length / 1e6,
              at100.describe(),
              atEnd.describe(),
              swaps,
              growth() * 100,
              (double) atEnd.rssKb() / at100.rssKb(),
              (atEnd.heapCommittedBytes() - at100.heapCommittedBytes()) / MB,
              atEnd.nonHeapMb() - at100.nonHeapMb())
          + (at100.nmtKb() < 0 ? "" : "\n  NMT changes of 1 MB or more: " + nmtChanges());
    }
  }

  private NativeMemory() {}

  public static Result run(Target target, int swaps) throws Exception {
    return run(target, swaps, s -> {});
  }

  /** As {@link #run(Target, int)}, handing {@code progress} a reading after every 100th swap. */
  public static Result run(Target target, int swaps, Consumer<Snapshot> progress) throws Exception {
    if (swaps < 100) {
      throw new IllegalArgumentException("swaps must be at least 100, got " + swaps);
    }
    byte[][] models = {
      OnnxModelWriter.withHiddenLayer(HIDDEN, 1), OnnxModelWriter.withHiddenLayer(HIDDEN, 2)
    };
    Snapshot at100 = null;
    for (int v = 1; v <= swaps; v++) {
      StandaloneHarness.saveVersion(target.modelsDir(), MODEL, v, models[v % 2]);
      String ready = "/v2/models/" + MODEL + "/versions/" + v + "/ready";
      int version = v;
      Faults.await(
          Duration.ofSeconds(60),
          "version " + version + " loaded",
          () -> {
            var r = Faults.get(target.apiPort(), ready);
            return r != null && r.statusCode() == 200;
          });
      if (v > 3) {
        deleteTree(target.modelsDir().resolve(MODEL).resolve(Long.toString(v - 3)));
        deleteTree(target.storeDir().resolve(MODEL).resolve(Long.toString(v - 3)));
      }
      if (v % 100 == 0 || v == swaps) {
        Snapshot now = snapshot(target, v);
        progress.accept(now);
        at100 = v == 100 ? now : at100;
        if (v == swaps) {
          return new Result(swaps, at100, now);
        }
      }
    }
    throw new AssertionError("unreachable");
  }

  /**
   * A reading once the retired versions closed (they close when their last request ends): the
   * lowest RSS of a few readings over about six seconds.
   */
  private static Snapshot snapshot(Target target, int swap) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (Faults.gauge(target.apiPort(), "modelsync_models_open") > 2
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    if (target.pid() == ProcessHandle.current().pid()) {
      System.gc(); // the harness's own garbage (broker, agent, this loop) is not the api's
    }
    // The settled size: the lowest of READINGS readings over a few seconds, so memory the JIT
    // compiler holds for a moment, and glibc gives back at its next trim (every 5 s in the
    // image), is not counted as the api's. Both readings compared are taken the same way.
    long rss = Long.MAX_VALUE;
    long anon = 0;
    Map<String, Long> nmt = Map.of();
    for (int i = 0; i < READINGS; i++) {
      Thread.sleep(READING_GAP_MS);
      long now = status(target.pid(), "VmRSS:");
      if (now < rss) {
        rss = now;
        anon = status(target.pid(), "RssAnon:");
        nmt = nmtCommittedKb(target.pid());
      }
    }
    var scrape = Faults.get(target.apiPort(), "/metrics");
    if (scrape == null || scrape.statusCode() != 200) {
      throw new IllegalStateException("no /metrics from the api after swap " + swap);
    }
    String metrics = scrape.body(); // one scrape, so the counts agree with each other
    return new Snapshot(
        swap,
        rss,
        anon,
        (long) sum(metrics, "jvm_memory_committed_bytes", "area=\"heap\""),
        nmt.getOrDefault("Total", -1L),
        nmt,
        sum(metrics, "modelsync_models_open", ""),
        sum(metrics, "modelsync_djl_ndmanagers_open", ""),
        sum(metrics, "modelsync_onnx_sessions_open", ""));
  }

  /**
   * The sum of the series of metric {@code name} in a scrape whose labels contain {@code label}.
   */
  private static double sum(String scrape, String name, String label) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** A kB field of /proc/PID/status, such as {@code VmRSS:}. */
  static long status(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
  }

  /** What NMT reports as committed, in kB: "Total" and by category; empty without NMT. */
  static Map<String, Long> nmtCommittedKb(long pid) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return Map.of();
    }
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return Map.of();
    }
    Map<String, Long> kb = new TreeMap<>();
    Matcher m =
        Pattern.compile(
                "(?m)^(?:-\\s+)?([A-Za-z][A-Za-z ]*?) ?[:(]\\s*reserved=\\d+KB, committed=(\\d+)KB")
            .matcher(out);
    while (m.find()) {
      kb.put(m.group(1).trim(), Long.parseLong(m.group(2)));
    }
    return kb;
  }

  static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
