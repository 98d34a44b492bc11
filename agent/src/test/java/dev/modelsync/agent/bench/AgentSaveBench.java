package dev.modelsync.agent.bench;

import dev.modelsync.agent.Agent;
import dev.modelsync.agent.AgentConfig;
import dev.modelsync.agent.watch.WatchMode;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.kafka.EmbeddedKafka;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The agent's own share of save-to-serve: from the rename that completes a save to the moment its
 * {@code model.saved} is handed to the Kafka producer (a producer interceptor's {@code onSend}, in
 * this process), for a 1 KB and a 40 MB model; then, when {@code strace} is on the PATH, the
 * agent's syscalls per save on the store and models directories (fsyncs, opens, renames, reads,
 * writes and bytes written), counted by path, so the figure does not depend on the machine's load.
 * Each save is staged outside the models directory and renamed in, so writing it costs the agent
 * nothing. With a baseline file from an earlier run it prints each figure as after/before.
 *
 * <pre>nice -n 19 mvn -q -B -o -pl agent exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.agent.bench.AgentSaveBench \
 *   -Dexec.args="50 5 /tmp/agent-before.txt"   (saves per size, warm-up saves, figures file)
 * </pre>
 *
 * The figures file is written when it does not exist yet, and compared with when it does. {@code
 * -Dbench.large=false} saves only the 1 KB model (for a profile of many saves), {@code
 * -Dbench.keepTrace=true} keeps strace's output and prints where.
 */
public final class AgentSaveBench {
  private static final BlockingQueue<Long> SENT = new LinkedBlockingQueue<>();
  private static final int TRACED_SAVES = 10;

  private AgentSaveBench() {}

  /**
   * Notes when the producer is handed a record. The agent gives its Kafka settings to its consumer
   * too, so this is a (silent) consumer interceptor as well.
   */
  public static final class SendClock
      implements ProducerInterceptor<Object, Object>, ConsumerInterceptor<Object, Object> {
    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
      SENT.add(System.nanoTime());
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
      return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  public static void main(String[] args) throws Exception {
    int saves = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Optional<Path> figuresFile = args.length > 2 ? Optional.of(Path.of(args[2])) : Optional.empty();
    Path root = Files.createTempDirectory("modelsync-agent-bench");
    Path models = Files.createDirectories(root.resolve("models"));
    Path staging = Files.createDirectories(root.resolve("staging"));
    Map<String, Double> figures = new LinkedHashMap<>();
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.onFreePort().start()) {
      AgentConfig config =
          new AgentConfig(
              models,
              root.resolve("store"),
              new KafkaClientConfig(
                  kafka.bootstrapServers(),
                  Map.of(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, SendClock.class.getName()),
                  0),
              "bench-events",
              0,
              "127.0.0.1",
              500,
              // no periodic rescan or health check while counting: their syscalls are not a save's
              600_000,
              600_000,
              100,
              "bench",
              Optional.empty(),
              Optional.empty(),
              WatchMode.AUTO,
              Optional.empty(),
              5000); // the save warm-up as shipped
      Agent agent = get(Agent.start(vertx, config));
      try {
        Saver small = new Saver(models, staging, "small", 1 << 10);
        Saver large = new Saver(models, staging, "large", 40 << 20);
        // -Dbench.large=false: the 1 KB model only, for a profile of many small saves
        List<Saver> savers =
            Boolean.parseBoolean(System.getProperty("bench.large", "true"))
                ? List.of(small, large)
                : List.of(small);
        for (Saver saver : savers) {
          List<Long> nanos = new ArrayList<>();
          long cpuFrom = 0;
          long userFrom = 0;
          for (int i = 0; i < saves + warmup; i++) {
            if (i == warmup) {
              cpuFrom = syncThreadCpuNanos(false);
              userFrom = syncThreadCpuNanos(true);
            }
            long took = saver.saveAndAwaitSend();
            if (i >= warmup) {
              nanos.add(took);
            }
          }
          Thread.sleep(500); // what the sync thread does after the last send
          figures.put(
              saver.name + " sync thread CPU ms/save",
              (syncThreadCpuNanos(false) - cpuFrom) / 1e6 / saves);
          figures.put(
              saver.name + " of which user ms/save",
              (syncThreadCpuNanos(true) - userFrom) / 1e6 / saves);
          long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
          figures.put(saver.name + " rename->sent p50 ms", percentile(sorted, 0.50));
          figures.put(saver.name + " rename->sent p90 ms", percentile(sorted, 0.90));
        }
        if (strace()) {
          for (Saver saver : savers) {
            figures.putAll(traced(saver, root));
          }
        } else {
          System.out.println("(no strace on the PATH: syscalls per save not counted)");
        }
      } finally {
        get(agent.close());
      }
    } finally {
      get(vertx.close());
    }
    report(figures, figuresFile);
  }

  /** Saves of one model, each a new version with bytes of its own. */
  private static final class Saver {
    final String name;
    final Path modelDir;
    final Path staging;
    final byte[] bytes;
    int version;

    Saver(Path models, Path staging, String name, int size) throws IOException {
      this.name = name;
      this.modelDir = Files.createDirectories(models.resolve(name));
      this.staging = staging;
      this.bytes = new byte[size];
      new Random(size).nextBytes(bytes);
    }

    /** Writes the next version outside the models directory, renames it in, awaits its send. */
    long saveAndAwaitSend() throws Exception {
      version++;
      Path tmp = Files.createDirectory(staging.resolve(name + "-" + version));
      bytes[0] = (byte) version;
      bytes[1] = (byte) (version >> 8);
      Files.write(tmp.resolve("model.onnx"), bytes);
      Files.write(
          tmp.resolve("model.json"),
          "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\"}".getBytes(StandardCharsets.UTF_8));
      SENT.clear();
      long renamed = System.nanoTime();
      Files.move(tmp, modelDir.resolve(Integer.toString(version)), StandardCopyOption.ATOMIC_MOVE);
      Long sent = SENT.poll(30, TimeUnit.SECONDS);
      if (sent == null) {
        throw new IllegalStateException("no model.saved sent within 30 s for " + name);
      }
      return sent - renamed;
    }
  }

  /**
   * Counts the agent's syscalls on the bench's directories over {@link #TRACED_SAVES} saves (all
   * threads of this process are traced; only calls naming a path under {@code root} count, so the
   * embedded broker's own files do not). The disk thread's syncs may end after the send: the count
   * waits for the state file of the last save. The state file's calls are counted apart: how many
   * acknowledgements one write covers depends on timing.
   */
  private static Map<String, Double> traced(Saver saver, Path root) throws Exception {
    Path out = Files.createTempFile("agent-bench-strace", ".txt");
    long pid = ProcessHandle.current().pid();
    Process strace =
        new ProcessBuilder(
                "strace",
                "-f",
                "-y",
                "-qq",
                "-e",
                "trace=openat,mkdir,mkdirat,rename,renameat,renameat2,fsync,fdatasync,read,write,"
                    + "pread64,pwrite64,newfstatat,statx,lstat,stat,fstat,getdents64,unlinkat",
                "-o",
                out.toString(),
                "-p",
                Long.toString(pid))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Thread.sleep(2000); // attaching to every thread takes a moment
    for (int i = 0; i < TRACED_SAVES; i++) {
      saver.saveAndAwaitSend();
    }
    Thread.sleep(2000); // the disk thread's syncs and the state file follow the send
    new ProcessBuilder("kill", "-INT", Long.toString(strace.pid())).start().waitFor();
    strace.waitFor(30, TimeUnit.SECONDS);
    Map<String, Long> calls = new TreeMap<>();
    long bytesWritten = 0;
    long stateCalls = 0;
    // strace splits a call another thread interrupts: "<tid> call(args <unfinished ...>", then
    // "<tid> <... call resumed>rest) = n"; join them by thread
    Pattern whole = Pattern.compile("^(\\d+)\\s+(\\w+)\\((.*)\\)\\s+=\\s+(-?\\d+)");
    Pattern unfinished = Pattern.compile("^(\\d+)\\s+(\\w+)\\((.*) <unfinished \\.\\.\\.>");
    Pattern resumed =
        Pattern.compile("^(\\d+)\\s+<\\.\\.\\. (\\w+) resumed>(.*)\\)\\s+=\\s+(-?\\d+)");
    Map<String, String> pending = new java.util.HashMap<>();
    for (String l : Files.readAllLines(out)) {
      String call;
      String callArgs;
      String result;
      Matcher m;
      if ((m = whole.matcher(l)).find()) {
        call = m.group(2);
        callArgs = m.group(3);
        result = m.group(4);
      } else if ((m = unfinished.matcher(l)).find()) {
        pending.put(m.group(1), m.group(3));
        continue;
      } else if ((m = resumed.matcher(l)).find()) {
        call = m.group(2);
        callArgs = pending.getOrDefault(m.group(1), "") + m.group(3);
        result = m.group(4);
      } else {
        continue;
      }
      if (!callArgs.contains(root.toString()) || callArgs.contains("staging")) {
        continue;
      }
      if (callArgs.contains(".modelsync-agent")) {
        // the state file: rewritten per acknowledgement, coalesced when acks come close together
        stateCalls++;
        continue;
      }
      calls.merge(call, 1L, Long::sum);
      if (call.equals("write") || call.equals("pwrite64")) {
        bytesWritten += Math.max(0, Long.parseLong(result));
      }
    }
    if (Boolean.getBoolean("bench.keepTrace")) {
      System.out.println(saver.name + " strace output kept in " + out);
    } else {
      Files.delete(out);
    }
    Map<String, Double> figures = new LinkedHashMap<>();
    long total = calls.values().stream().mapToLong(Long::longValue).sum();
    figures.put(saver.name + " syscalls/save", (double) total / TRACED_SAVES);
    for (String call : List.of("fsync", "fdatasync", "openat", "read", "write", "rename")) {
      figures.put(
          saver.name + " " + call + "/save", (double) calls.getOrDefault(call, 0L) / TRACED_SAVES);
    }
    figures.put(saver.name + " KiB written/save", bytesWritten / 1024.0 / TRACED_SAVES);
    figures.put(saver.name + " state file calls/save", (double) stateCalls / TRACED_SAVES);
    System.out.println(saver.name + " syscalls over " + TRACED_SAVES + " saves: " + calls);
    return figures;
  }

  /**
   * CPU time of the agent's sync thread, which observes, copies, digests and sends: unlike wall
   * time, it barely moves with the machine's load. What is not user time is the kernel's, in the
   * thread's syscalls.
   */
  private static long syncThreadCpuNanos(boolean userOnly) {
    Thread sync =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("modelsync-agent-sync"))
            .findFirst()
            .orElseThrow();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return userOnly
        ? threads.getThreadUserTime(sync.getId())
        : threads.getThreadCpuTime(sync.getId());
  }

  private static boolean strace() {
    try {
      return new ProcessBuilder("strace", "-V").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void report(Map<String, Double> figures, Optional<Path> file) throws IOException {
    Map<String, Double> before = new LinkedHashMap<>();
    if (file.isPresent() && Files.exists(file.get())) {
      for (String l : Files.readAllLines(file.get())) {
        int tab = l.indexOf('\t');
        before.put(l.substring(0, tab), Double.parseDouble(l.substring(tab + 1)));
      }
    } else if (file.isPresent()) {
      List<String> lines = new ArrayList<>();
      figures.forEach((k, v) -> lines.add(k + "\t" + v));
      Files.write(file.get(), lines);
    }
    figures.forEach(
        (k, v) -> {
          Double b = before.get(k);
          if (b == null) {
            System.out.printf("%-32s %10.2f%n", k, v);
          } else {
            System.out.printf(
                "%-32s %10.2f  before %10.2f  after/before %s%n",
                k, v, b, b == 0 ? "-" : String.format("%.2f", v / b));
          }
        });
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
  }

  private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
