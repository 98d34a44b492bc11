package dev.modelsync.standalone.bench;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import dev.modelsync.standalone.faults.KeepAliveConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The single-file layout ({@code models/<name>.onnx}) through the whole system (embedded Kafka,
 * agent, api, in this JVM), in each watch mode in one run: inotify, then poll. Two ways to save: an
 * atomic rename of a hidden temporary file onto the model file, and a write in place (open with
 * truncate, write, close). Each is timed from the save (the rename, or the close) to (a) the
 * agent's {@code model.saved} record's timestamp (its producer's send time, 1 ms resolution, read
 * from the topic after the run) and (b) the first infer answer computed by the new version (one
 * keep-alive connection, 0.2 ms between requests, as in {@link SaveToServeBenchmark}). Kafka's own
 * floor on the same broker is printed for the ratio.
 *
 * <pre>mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.SingleFileSaveBenchmark [-Dexec.args=30]</pre>
 */
public final class SingleFileSaveBenchmark {
  private static final int WARM_UP_SAVES = 3;
  private static final long PAUSE_NANOS = 200_000;
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,1,1,1]}]}";

  private SingleFileSaveBenchmark() {}

  public static void main(String[] args) throws Exception {
    int saves = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    for (String mode : List.of("inotify", "poll")) {
      Path dir = Files.createTempDirectory("modelsync-bench");
      // warmed up at start as in production (-Dwarmup=N Kafka rounds, -Dloadwarmup=N loads); once
      // per JVM
      try (var system =
          StandaloneHarness.start(
              dir,
              Map.of(
                  "MODELSYNC_WATCH",
                  mode,
                  "MODELSYNC_KAFKA_WARMUP_ROUNDS",
                  System.getProperty("warmup", "10000"),
                  "MODELSYNC_LOAD_WARMUP_ROUNDS",
                  System.getProperty("loadwarmup", "2000")))) {
        system.awaitKafkaWarmUp();
        system.awaitLoadWarmUp();
        for (boolean rename : new boolean[] {true, false}) {
          String model = rename ? "renamed" : "inplace";
          run(system, mode, model, rename, saves);
        }
        double[] floor = KafkaFloor.sendToReceived(system.bootstrapServers(), saves);
        System.out.printf(
            Locale.ROOT,
            "  %s run, Kafka's floor on the same broker (bare record sent -> consumer has it):"
                + " p50 %.2f ms%n",
            mode,
            SaveToServeBenchmark.pct(floor, 50));
      }
    }
  }

  private static void run(
      StandaloneHarness system, String mode, String model, boolean rename, int saves)
      throws Exception {
    Path file = system.modelsDir().resolve(model + ".onnx");
    long baseNanos = System.nanoTime();
    long baseMicros = micros(Instant.now());
    int total = saves + WARM_UP_SAVES;
    long[] saved = new long[total + 1];
    long[] served = new long[total + 1];
    try (var http =
        new KeepAliveConnection(system.apiPort(), "/v2/models/" + model + "/infer", BODY)) {
      for (int v = 1; v <= total; v++) {
        byte[] onnx = OnnxModelWriter.affine(v);
        String expected = "\"data\":[" + (v * 4f) + ",";
        saved[v] = rename ? renameOnto(file, onnx) : writeInPlace(file, onnx);
        long deadline = saved[v] + 60_000_000_000L;
        while (true) {
          Object[] r = http.exchange();
          long answered = System.nanoTime();
          if ((int) r[0] == 200 && ((String) r[1]).contains(expected)) {
            served[v] = answered;
            break;
          }
          if (answered > deadline) {
            throw new IllegalStateException(model + " version " + v + " never served: " + r[1]);
          }
          LockSupport.parkNanos(PAUSE_NANOS);
        }
        Thread.sleep(50);
      }
    }
    long[] sentMicros = sentMicros(system.bootstrapServers(), model, total);
    double[] toTopic = new double[saves];
    double[] toServed = new double[saves];
    for (int v = WARM_UP_SAVES + 1; v <= total; v++) {
      long savedMicros = baseMicros + (saved[v] - baseNanos) / 1_000;
      toTopic[v - WARM_UP_SAVES - 1] = (sentMicros[v] - savedMicros) / 1e3;
      toServed[v - WARM_UP_SAVES - 1] = (served[v] - saved[v]) / 1e6;
    }
    Arrays.sort(toTopic);
    Arrays.sort(toServed);
    System.out.printf(
        Locale.ROOT,
        "%-7s %-32s n=%d  save -> model.saved sent p50 %6.1f ms p90 %6.1f ms"
            + "  save -> served p50 %6.1f ms p90 %6.1f ms%n",
        mode,
        rename ? "single file, atomic rename" : "single file, written in place",
        saves,
        SaveToServeBenchmark.pct(toTopic, 50),
        SaveToServeBenchmark.pct(toTopic, 90),
        SaveToServeBenchmark.pct(toServed, 50),
        SaveToServeBenchmark.pct(toServed, 90));
  }

  /** Writes a hidden temporary file and renames it onto the model file; nanoTime at the rename. */
  private static long renameOnto(Path file, byte[] onnx) throws Exception {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, onnx);
    long at = System.nanoTime();
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return at;
  }

  /** Opens with truncate, writes, closes; nanoTime at the close. */
  private static long writeInPlace(Path file, byte[] onnx) throws Exception {
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(ByteBuffer.wrap(onnx));
    }
    return System.nanoTime();
  }

  /** Each version's model.saved record time in wall-clock microseconds, read after the run. */
  private static long[] sentMicros(String bootstrap, String model, int total) {
    long[] sent = new long[total + 1];
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    EventCodec codec = new EventCodec(URI.create("/modelsync/bench"));
    try (var c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          c.partitionsFor(Topics.MODEL_EVENTS, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(Topics.MODEL_EVENTS, p.partition()))
              .toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          ModelEvent e = decode(codec, r.value());
          if (e instanceof ModelSaved s && s.model().equals(model) && s.version() <= total) {
            sent[(int) s.version()] = r.timestamp() * 1000;
          }
        }
      }
    }
    return sent;
  }

  private static ModelEvent decode(EventCodec codec, byte[] value) {
    try {
      return codec.decode(value);
    } catch (EventDecodingException e) {
      return null;
    }
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }
}
