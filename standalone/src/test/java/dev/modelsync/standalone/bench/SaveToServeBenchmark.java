package dev.modelsync.standalone.bench;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import dev.modelsync.standalone.faults.KeepAliveConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Save-to-serve latency through the whole system in one process (embedded Kafka, agent, api): from
 * the moment a version directory is renamed into the models directory to the first infer answer
 * computed by that version. Prints p50/p90/p99 over N saves (default 50, after 3 that warm the JIT
 * up), the start-up time, and where the time went.
 *
 * <p>The probe is one keep-alive HTTP/1.1 connection on this thread, with a 0.2 ms pause between
 * requests: a busy loop (or a pooled client's own threads) would take CPU from the system it
 * measures on a small machine. The first answer is therefore seen up to one round trip plus the
 * pause after the version started serving; the resolution is printed. The breakdown is read from
 * the topics after the run, so reading them costs nothing while measuring: the {@code model.saved}
 * record's timestamp (set by the agent's producer when it sends, 1 ms resolution) and the {@code
 * model.activated} status event's time (when the api swapped the version in).
 *
 * <p>Kafka is warmed up at start as in production ({@code MODELSYNC_KAFKA_WARMUP_ROUNDS}, 10000;
 * {@code -Dwarmup=0} measures a cold Kafka path), and so is the api's load path ({@code
 * MODELSYNC_LOAD_WARMUP_ROUNDS}, 2000; {@code -Dloadwarmup=0}); the saves start once both have
 * ended. The agent syncs each snapshot 100 ms after its event ({@code MODELSYNC_SYNC_DELAY_MS};
 * {@code -Dsyncdelay=0} syncs at once). The next save follows 50 ms after a version is served
 * ({@code -Dgap=ms}): with saves closer than the delay, a sync falls into the next save.
 *
 * <pre>mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.SaveToServeBenchmark [-Dexec.args=50]</pre>
 */
public final class SaveToServeBenchmark {
  private static final int WARM_UP_SAVES = 3;
  private static final long PAUSE_NANOS = 200_000;
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,1,1,1]}]}";

  private SaveToServeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int saves = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path dir = Files.createTempDirectory("modelsync-bench");
    long t0 = System.nanoTime();
    // as in production (10000 unless -Dwarmup=N; 0 = a cold Kafka path, to compare)
    String warmUp = System.getProperty("warmup", "10000");
    String loadWarmUp = System.getProperty("loadwarmup", "2000");
    // 100 as in production unless -Dsyncdelay=N (0 = each snapshot synced at once, to compare)
    String syncDelay = System.getProperty("syncdelay", "100");
    // the pause after a version is served before the next save (-Dgap=ms; 50 unless given)
    long gapMs = Long.getLong("gap", 50);
    try (var system =
            StandaloneHarness.start(
                dir,
                Map.of(
                    "MODELSYNC_KAFKA_WARMUP_ROUNDS",
                    warmUp,
                    "MODELSYNC_LOAD_WARMUP_ROUNDS",
                    loadWarmUp,
                    "MODELSYNC_SYNC_DELAY_MS",
                    syncDelay));
        var http = new KeepAliveConnection(system.apiPort(), "/v2/models/bench/infer", BODY)) {
      long startMs = (System.nanoTime() - t0) / 1_000_000;
      long w0 = System.nanoTime();
      var warmed = system.awaitKafkaWarmUp();
      System.out.printf(
          Locale.ROOT,
          "Kafka warm-up (MODELSYNC_KAFKA_WARMUP_ROUNDS=%s): %s, waited %d ms after start%n",
          warmUp,
          warmed.map(Object::toString).orElse("did not run"),
          (System.nanoTime() - w0) / 1_000_000);
      System.out.printf(
          Locale.ROOT,
          "load warm-up (MODELSYNC_LOAD_WARMUP_ROUNDS=%s): %s%n",
          loadWarmUp,
          system.awaitLoadWarmUp().map(Object::toString).orElse("did not run"));
      Clock clock = new Clock();
      int total = saves + WARM_UP_SAVES;
      long[] renamed = new long[total + 1];
      long[] served = new long[total + 1];
      long[] exchanges = new long[total + 1];
      long exchangeNanos = 0;
      long exchangeCount = 0;
      for (int v = 1; v <= total; v++) {
        float scale = v; // output[0] = scale * 4: each version answers differently
        String expected = "\"data\":[" + (scale * 4) + ",";
        byte[] model = OnnxModelWriter.affine(scale);
        renamed[v] = StandaloneHarness.saveVersion(system.modelsDir(), "bench", v, model);
        long deadline = renamed[v] + 10_000_000_000L;
        while (true) {
          long sent = System.nanoTime();
          Object[] r = http.exchange();
          long answered = System.nanoTime();
          exchanges[v]++;
          if (v > WARM_UP_SAVES) {
            exchangeNanos += answered - sent;
            exchangeCount++;
          }
          if ((int) r[0] == 200 && ((String) r[1]).contains(expected)) {
            served[v] = answered;
            break;
          }
          if (answered > deadline) {
            throw new IllegalStateException("version " + v + " never served; last answer " + r[1]);
          }
          LockSupport.parkNanos(PAUSE_NANOS);
        }
        Thread.sleep(gapMs);
      }
      double[] millis = new double[saves];
      for (int v = WARM_UP_SAVES + 1; v <= total; v++) {
        millis[v - WARM_UP_SAVES - 1] = (served[v] - renamed[v]) / 1e6;
      }
      Arrays.sort(millis);
      System.out.printf(
          Locale.ROOT,
          "start-up (kafka+agent+api, in-process): %d ms%nsave-to-serve over %d saves: p50 %.1f ms"
              + "  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n",
          startMs,
          saves,
          pct(millis, 50),
          pct(millis, 90),
          pct(millis, 99),
          millis[millis.length - 1]);
      double rtt = exchangeNanos / 1e6 / Math.max(1, exchangeCount);
      System.out.printf(
          Locale.ROOT,
          "  probe: one keep-alive connection, %.1f requests per save, mean round trip %.2f ms +"
              + " %.1f ms pause: the first answer is seen up to %.2f ms after the swap%n",
          exchangeCount / (double) saves,
          rtt,
          PAUSE_NANOS / 1e6,
          rtt + PAUSE_NANOS / 1e6);
      breakdown(system.bootstrapServers(), clock, renamed, served, saves);
      double[] floor = KafkaFloor.sendToReceived(system.bootstrapServers(), saves);
      System.out.printf(
          Locale.ROOT,
          "  floor, same broker and run: a bare record sent -> a consumer has it: p50 %.2f ms"
              + "  p90 %.2f ms; save-to-serve p50 is %.1fx that%n",
          pct(floor, 50),
          pct(floor, 90),
          pct(millis, 50) / pct(floor, 50));
      double[] busyFloor = floorWhileProbing(system.bootstrapServers(), saves, http);
      System.out.printf(
          Locale.ROOT,
          "  the same floor with the probe polling the api as it does during the saves: p50 %.2f ms"
              + "  p90 %.2f ms; save-to-serve p50 is %.1fx that%n",
          pct(busyFloor, 50),
          pct(busyFloor, 90),
          pct(millis, 50) / pct(busyFloor, 50));
    }
  }

  /**
   * Kafka's floor measured while another thread keeps the probe's request loop going, so that the
   * broker, the clients and the api share the two cores as they do while a save is measured (the
   * first floor runs on an idle api).
   */
  private static double[] floorWhileProbing(String bootstrap, int n, KeepAliveConnection http)
      throws Exception {
    var probing = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread probe =
        new Thread(
            () -> {
              try {
                while (probing.get()) {
                  http.exchange();
                  LockSupport.parkNanos(PAUSE_NANOS);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "bench-probe");
    probe.start();
    try {
      return KafkaFloor.sendToReceived(bootstrap, n);
    } finally {
      probing.set(false);
      probe.join();
    }
  }

  /** Per-step p50/p90 from the topics, read once the saves are done. */
  private static void breakdown(
      String bootstrap, Clock clock, long[] renamed, long[] served, int saves) throws Exception {
    long[] savedAt = new long[renamed.length];
    long[] sentAt = new long[renamed.length];
    long[] activatedAt = new long[renamed.length];
    EventCodec codec = new EventCodec(URI.create("/modelsync/bench"));
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, Topics.MODEL_EVENTS)) {
      ModelEvent e = decode(codec, r.value());
      if (e instanceof ModelSaved s && s.model().equals("bench") && s.version() < renamed.length) {
        sentAt[(int) s.version()] = r.timestamp() * 1000;
        savedAt[(int) s.version()] = micros(s.savedAt());
      }
    }
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, Topics.MODEL_STATUS)) {
      ModelEvent e = decode(codec, r.value());
      if (e instanceof ModelStatus s
          && s.type().equals(EventTypes.ACTIVATED)
          && s.model().equals("bench")
          && s.version() < renamed.length
          && activatedAt[(int) s.version()] == 0) {
        activatedAt[(int) s.version()] = micros(s.at());
      }
    }
    double[][] steps = new double[4][saves];
    int first = renamed.length - saves;
    for (int v = first; v < renamed.length; v++) {
      long rename = clock.micros(renamed[v]);
      long answer = clock.micros(served[v]);
      steps[0][v - first] = (savedAt[v] - rename) / 1e3;
      steps[1][v - first] = (sentAt[v] - savedAt[v]) / 1e3;
      steps[2][v - first] = (activatedAt[v] - sentAt[v]) / 1e3;
      steps[3][v - first] = (answer - activatedAt[v]) / 1e3;
    }
    String[] names = {
      "rename -> agent's savedAt (agent)",
      "savedAt -> model.saved sent (agent; record time, 1 ms)",
      "model.saved sent -> model.activated (Kafka + api)",
      "model.activated -> first answer seen (HTTP + probe)"
    };
    System.out.println("  breakdown (p50 / p90 of each step on its own; they need not add up):");
    for (int i = 0; i < steps.length; i++) {
      Arrays.sort(steps[i]);
      System.out.printf(
          Locale.ROOT,
          "    %-56s p50 %6.2f ms  p90 %6.2f ms%n",
          names[i],
          pct(steps[i], 50),
          pct(steps[i], 90));
    }
  }

  private static ModelEvent decode(EventCodec codec, byte[] value) {
    try {
      return codec.decode(value);
    } catch (EventDecodingException e) {
      return null;
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (var c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> all = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(all::add);
      }
      return all;
    }
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  /** Wall-clock microseconds of a {@link System#nanoTime()} reading, to compare with events. */
  private static final class Clock {
    private final long baseNanos = System.nanoTime();
    private final long baseMicros = SaveToServeBenchmark.micros(Instant.now());

    long micros(long nanoTime) {
      return baseMicros + (nanoTime - baseNanos) / 1_000;
    }
  }

  static double pct(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
