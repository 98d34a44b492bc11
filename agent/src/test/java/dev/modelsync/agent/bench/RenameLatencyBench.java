package dev.modelsync.agent.bench;

import dev.modelsync.agent.Agent;
import dev.modelsync.agent.AgentConfig;
import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.agent.watch.WatchMode;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.events.Topics;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Latency from a rename-save (the Python helper's way: files and model.json in a hidden directory,
 * renamed into place) to the record being on the topic, over N saves against an embedded broker.
 * The bench topic is created beforehand with {@code message.timestamp.type=LogAppendTime}, so a
 * record's timestamp is when the broker appended it. Prints p50/p99 of rename to (a) that append
 * time (ms resolution) and (b) a consumer in this process receiving the record; then, as Kafka's
 * own floor, a bare producer with the agent's settings timed from send to acknowledgement.
 *
 * <pre>mvn -q -B -o -pl agent exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.agent.bench.RenameLatencyBench [-Dexec.args="50 5"] (saves, warm-up saves)
 * </pre>
 */
public final class RenameLatencyBench {
  private RenameLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int saves = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path root = Files.createTempDirectory("modelsync-bench");
    Path models = Files.createDirectories(root.resolve("models"));
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.onFreePort().start()) {
      AgentConfig config =
          new AgentConfig(
              models,
              root.resolve("store"),
              new KafkaClientConfig(kafka.bootstrapServers(), Map.of(), 0),
              "bench-events",
              0,
              "127.0.0.1",
              500,
              2000,
              2000,
              100,
              "bench",
              Optional.empty(),
              Optional.empty(),
              WatchMode.AUTO,
              Optional.empty(),
              5000); // the save warm-up as shipped
      createTopic(kafka.bootstrapServers(), config.eventsTopic());
      Agent agent = get(Agent.start(vertx, config));
      try (KafkaConsumer<String, byte[]> consumer = consumer(kafka.bootstrapServers())) {
        consumer.subscribe(List.of(config.eventsTopic()));
        List<Long> toRecord = new ArrayList<>();
        List<Long> toConsumer = new ArrayList<>();
        byte[] manifest = "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\"}".getBytes();
        Path modelDir = Files.createDirectories(models.resolve("bench"));
        for (int i = 1; i <= saves + warmup; i++) {
          Path tmp = Files.createDirectory(modelDir.resolve(".tmp-" + i));
          Files.write(tmp.resolve("model.onnx"), OnnxModelWriter.affine(i));
          Files.write(tmp.resolve("model.json"), manifest);
          long renamedMs = System.currentTimeMillis();
          long renamedNanos = System.nanoTime();
          Files.move(tmp, modelDir.resolve(Integer.toString(i)), StandardCopyOption.ATOMIC_MOVE);
          ConsumerRecord<String, byte[]> record = awaitRecord(consumer);
          long receivedNanos = System.nanoTime();
          if (i > warmup) {
            toRecord.add((record.timestamp() - renamedMs) * 1_000_000);
            toConsumer.add(receivedNanos - renamedNanos);
          }
        }
        report("rename -> appended on the topic (broker time)", toRecord);
        report("rename -> consumer received", toConsumer);
        report("floor: a bare producer's send -> ack", bareSends(config, saves));
      } finally {
        get(agent.close());
      }
    } finally {
      get(vertx.close());
    }
  }

  /**
   * Kafka's own share, for comparison: the agent's producer settings, one record at a time with the
   * same pause between records as between saves, timed from send to acknowledgement.
   */
  private static List<Long> bareSends(AgentConfig config, int n) throws Exception {
    List<Long> nanos = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(Publisher.producerConfig(config.kafka(), "bench-bare"))) {
      byte[] value = new byte[700];
      for (int i = 0; i < n + 5; i++) {
        Thread.sleep(10);
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>("bench-bare", "bench", value)).get();
        if (i >= 5) {
          nanos.add(System.nanoTime() - sent);
        }
      }
    }
    return nanos;
  }

  private static ConsumerRecord<String, byte[]> awaitRecord(KafkaConsumer<String, byte[]> c) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
        return r;
      }
    }
    throw new IllegalStateException("no record within 30 s");
  }

  private static void report(String what, List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        "%-45s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
        what,
        sorted.length,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted[sorted.length - 1] / 1e6);
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
  }

  private static void createTopic(String bootstrap, String topic) throws Exception {
    Map<String, String> configs = new java.util.HashMap<>(Topics.MODEL_EVENTS_CONFIG);
    configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            "bench-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            false,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
            500,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class));
  }

  private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
