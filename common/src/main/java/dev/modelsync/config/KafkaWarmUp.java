package dev.modelsync.config;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records one at a time through Kafka and reads each back, a few thousand times at start, on
 * {@link Topics#WARM_UP}, so that the first saves run compiled code. A save crosses Kafka once, so
 * without this its path stays interpreted for a long time: on this project's test machine a record
 * sent 20 ms after the previous one reached a consumer in 8–12 ms from a fresh process and broker,
 * 2.4 ms after 6,000 round trips and 1.6 ms after 20,000 (the broker's share about half). The
 * producer is made with the caller's own producer settings, the consumer like the api's (assigned,
 * no group), and each record is a {@code model.saved} made as the agent makes one (keyed by its
 * model, with the content-type header, encoded each round) and decoded as the api decodes one, so
 * the same code is compiled: with bare 512-byte records, the send → read of a real save still took
 * 4.2 ms over the first 40 saves and 3.2 ms over the 121st to 160th (a traced standalone jar).
 *
 * <p>It runs once per process (the standalone jar's agent and api share one JIT), on a daemon
 * thread of its own, and never delays start-up or a save: a failure (no broker yet, no right to
 * create or write the topic) ends it with one log line. The budget bounds it in time.
 */
public final class KafkaWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaWarmUp.class);

  public static final Option ROUNDS =
      Option.optional(
              "MODELSYNC_KAFKA_WARMUP_ROUNDS",
              "kafka-warmup-rounds",
              "10000",
              "records sent through Kafka and read back at start, one at a time, on topic "
                  + Topics.WARM_UP
                  + ", so that the first saves run compiled code (0 = off; at most 60 s)")
          .checked(Check.range(0, 1_000_000));

  /** Round trips the logged median is taken over, the last ones. */
  private static final int WINDOW = 500;

  private static final BackgroundWarmUp WARM_UP =
      new BackgroundWarmUp(
          LOG,
          "modelsync-kafka-warmup",
          ROUNDS,
          WINDOW,
          new BackgroundWarmUp.Wording(
              "Kafka warm-up on " + Topics.WARM_UP,
              "Kafka's produce and consume path",
              "round trips on " + Topics.WARM_UP,
              "the first saves run slower"));

  private KafkaWarmUp() {}

  /**
   * Starts the warm-up on a daemon thread, unless {@code rounds} is 0 or one has started in this
   * process already; returns at once.
   *
   * @param producerProps the settings of the caller's own producer (String keys, byte[] values)
   * @return completed with what the warm-up did, or empty when it did not run or failed
   */
  public static CompletableFuture<Optional<BackgroundWarmUp.Outcome>> start(
      KafkaClientConfig kafka, Map<String, Object> producerProps, int rounds) {
    return WARM_UP.start(rounds, new RoundTrips(kafka, producerProps));
  }

  /**
   * Ends a warm-up under way after its current round and waits for it, at most {@code wait}; none
   * starts after. Call before the process closes the broker or the clients' settings.
   *
   * @return false when it was still running after {@code wait}
   */
  public static boolean stop(Duration wait) throws InterruptedException {
    return WARM_UP.stop(wait);
  }

  /** Blocking: creates the topic if needed, then at most {@code rounds} round trips. */
  static BackgroundWarmUp.Outcome run(
      KafkaClientConfig kafka, Map<String, Object> producerProps, int rounds, Duration budget)
      throws Exception {
    return WARM_UP.run(new RoundTrips(kafka, producerProps), rounds, budget);
  }

  /** A round: one record sent and read back, the next sent only once it is read. */
  private static final class RoundTrips implements BackgroundWarmUp.Rounds {
    private final KafkaClientConfig kafka;
    private final Map<String, Object> producerProps;
    private final TopicPartition partition = new TopicPartition(Topics.WARM_UP, 0);
    private final EventCodec codec = new EventCodec(URI.create("/modelsync/warmup"));
    private final ModelSaved saved = syntheticSave();
    private long deadline;
    private Producer<String, byte[]> producer;
    private Consumer<byte[], byte[]> consumer;

    RoundTrips(KafkaClientConfig kafka, Map<String, Object> producerProps) {
      this.kafka = kafka;
      this.producerProps = producerProps;
    }

    @Override
    public void setup(long deadlineNanos) throws Exception {
      deadline = deadlineNanos;
      ensureTopic(kafka, deadline);
      Map<String, Object> props = kafka.clientProperties();
      props.putAll(producerProps);
      props.put(
          ProducerConfig.CLIENT_ID_CONFIG,
          props.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "modelsync") + "-warmup");
      Map<String, Object> consumerProps = kafka.clientProperties();
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
      consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "modelsync-warmup-consumer");
      producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
      consumer =
          new KafkaConsumer<>(
              consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      consumer.assign(List.of(partition));
      consumer.seekToEnd(List.of(partition));
      consumer.position(partition, Duration.ofSeconds(10));
    }

    @Override
    public void round() throws Exception {
      producer.send(EventRecords.of(Topics.WARM_UP, codec, saved)).get(10, TimeUnit.SECONDS);
      ConsumerRecords<byte[], byte[]> records;
      while ((records = consumer.poll(Duration.ofMillis(100))).isEmpty()) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("a record sent was not read back within the budget");
        }
      }
      for (ConsumerRecord<byte[], byte[]> r : records) {
        try {
          codec.decode(r.value());
        } catch (EventDecodingException | RuntimeException e) {
          // another process's record on the shared topic, from an older version: not ours to read
        }
      }
    }

    /** A save of a two-file version, as large as a small model's event. */
    private static ModelSaved syntheticSave() {
      String sha = "0".repeat(64);
      return new ModelSaved(
          "warmup",
          1,
          "sha256:" + sha,
          4096,
          "OnnxRuntime",
          List.of(
              new ModelSaved.FileEntry("model.json", 48, sha),
              new ModelSaved.FileEntry("model.onnx", 4048, sha)),
          "warmup/1",
          null,
          Instant.now(),
          null);
    }

    @Override
    public void close() {
      // the consumer first, as before; either is null when setup failed before making it
      try {
        if (consumer != null) {
          consumer.close();
        }
      } finally {
        if (producer != null) {
          producer.close();
        }
      }
    }
  }

  /** Creates the topic unless it exists; waits for a broker that is not up yet. */
  private static void ensureTopic(KafkaClientConfig kafka, long deadline) throws Exception {
    Map<String, Object> props = kafka.clientProperties();
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          admin
              .createTopics(
                  List.of(
                      new NewTopic(Topics.WARM_UP, Optional.of(1), Optional.empty())
                          .configs(Topics.WARM_UP_CONFIG)))
              .all()
              .get(10, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicExistsException) {
            return;
          }
          if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline > 0) {
            throw e;
          }
        } catch (java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() - deadline > 0) {
            throw e;
          }
        }
        Thread.sleep(1_000);
      }
    }
  }
}
