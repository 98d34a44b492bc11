package dev.modelsync.api.kafka;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.Settings;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.testkit.kafka.WithKafka;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 16: the api's consumer survives failures, finds new partitions, and says when it can't. */
@WithKafka
class EventConsumerTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final EventConsumer.Supervision FAST = new EventConsumer.Supervision(10, 50, 3, 500);
  static EmbeddedKafka kafka;
  static Vertx vertx;
  static Admin admin;
  static KafkaProducer<String, byte[]> producer;
  final EventCodec codec = new EventCodec(URI.create("/modelsync/test"));
  final List<ModelEvent> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(EmbeddedKafka broker) {
    kafka = broker;
    vertx = Vertx.vertx();
    admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    producer.close();
    admin.close();
    vertx.close().await();
  }

  @Test
  @DisplayName(
      "a record the decoder chokes on is skipped, a failing poll restarts the consumer where it"
          + " was (nothing read twice), and partitions added later are read")
  void survivesAndFindsPartitions() throws Exception {
    String topic = topic();
    AtomicBoolean failNextPoll = new AtomicBoolean();
    EventConsumer.Decoder decoder =
        value -> {
          if (new String(value, StandardCharsets.UTF_8).equals("poison")) {
            throw new IllegalStateException("injected: a decoder bug");
          }
          return codec.decode(value);
        };
    try (EventConsumer consumer =
        consumer(topic, decoder, () -> failNextPoll.getAndSet(false), FAST)) {
      consumer.start();
      send(topic, null, deleted(1));
      eventually("v1", () -> versions().equals(List.of(1L)));

      producer
          .send(new ProducerRecord<>(topic, "m", "poison".getBytes(StandardCharsets.UTF_8)))
          .get(10, TimeUnit.SECONDS);
      send(topic, null, deleted(2));
      eventually("v2 after the poison record", () -> versions().equals(List.of(1L, 2L)));

      failNextPoll.set(true);
      eventually("a restart", () -> consumer.restarts() >= 1);
      send(topic, null, deleted(3));
      eventually("v3 after the restart", () -> versions().equals(List.of(1L, 2L, 3L)));
      assertNull(consumer.failure(), "one failure is not a lasting one");

      admin
          .createPartitions(Map.of(topic, NewPartitions.increaseTo(2)))
          .all()
          .get(30, TimeUnit.SECONDS);
      send(topic, 1, deleted(4));
      eventually("v4 on the new partition", () -> versions().equals(List.of(1L, 2L, 3L, 4L)));
    }
  }

  @Test
  @DisplayName("a consumer that keeps failing says why (liveness answers 503 with it)")
  void reportsLastingFailure() throws Exception {
    String topic = topic();
    try (EventConsumer consumer = consumer(topic, codec::decode, () -> true, FAST)) {
      consumer.start();
      eventually("the failure reported", () -> consumer.failure() != null);
      String failure = consumer.failure();
      assertTrue(failure.contains("injected poll failure"), failure);
      assertTrue(failure.contains(topic), failure);
    }
  }

  private EventConsumer consumer(
      String topic,
      EventConsumer.Decoder decoder,
      BooleanSupplier failPoll,
      EventConsumer.Supervision supervision) {
    KafkaClientConfig config =
        KafkaClientConfig.from(
            Settings.parse(
                List.of(KafkaClientConfig.BOOTSTRAP),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())),
            Map.of());
    return new EventConsumer(
        config,
        topic,
        decoder,
        props -> failing(props, failPoll),
        supervision,
        vertx.getOrCreateContext(),
        new EventConsumer.Listener() {
          @Override
          public void onEvents(List<ModelEvent> events, boolean caughtUp) {
            received.addAll(events);
          }

          @Override
          public void onCaughtUp() {}
        },
        lag -> {});
  }

  /** A real consumer whose poll throws whenever {@code failPoll} says so. */
  private static KafkaConsumer<byte[], byte[]> failing(
      Map<String, Object> props, BooleanSupplier failPoll) {
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()) {
      @Override
      public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        if (failPoll.getAsBoolean()) {
          throw new KafkaException("injected poll failure");
        }
        return super.poll(timeout);
      }
    };
  }

  private static String topic() throws Exception {
    String topic = "events-" + UUID.randomUUID();
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    return topic;
  }

  private void send(String topic, Integer partition, ModelEvent event) throws Exception {
    producer
        .send(new ProducerRecord<>(topic, partition, event.model(), codec.encode(event)))
        .get(10, TimeUnit.SECONDS);
  }

  private static ModelDeleted deleted(long version) {
    return new ModelDeleted("m", version, "sha256:x", Instant.now());
  }

  private List<Long> versions() {
    return received.stream().map(ModelEvent::version).toList();
  }

  private static void eventually(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
