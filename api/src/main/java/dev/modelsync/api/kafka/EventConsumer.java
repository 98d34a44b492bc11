package dev.modelsync.api.kafka;

import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.ModelEvent;
import io.vertx.core.Context;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the events topic from the beginning on its own thread (a Kafka consumer
 * is not thread-safe), without a consumer group: every replica sees every event. A failure restarts
 * the consumer with backoff where it left off; partitions added later are found within seconds; a
 * record that cannot be decoded is skipped with a log line. Decoded events go to the Vert.x context
 * in order; once the positions reach the end offsets seen at start, the caught-up callback runs
 * there too.
 */
public final class EventConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventConsumer.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /**
   * How the consumer recovers.
   *
   * @param backoffMinMs wait before the first restart, doubled for each failure in a row
   * @param backoffMaxMs longest wait between restarts
   * @param giveUpAfter failures in a row after which {@link #failure()} reports the consumer
   * @param partitionCheckMs how often the topic's partitions are listed again
   */
  record Supervision(long backoffMinMs, long backoffMaxMs, int giveUpAfter, long partitionCheckMs) {
    /** About two minutes of failing before liveness says so; new partitions within 5 s. */
    static final Supervision DEFAULT = new Supervision(200, 30_000, 12, 5_000);
  }

  /** Turns a record value into an event; the seam tests inject faults at. */
  interface Decoder {
    ModelEvent decode(byte[] value) throws EventDecodingException;
  }

  /** What the consumer hands its events to; both run on the context. */
  public interface Listener {
    void onEvents(List<ModelEvent> events, boolean caughtUp);

    void onCaughtUp();
  }

  private final KafkaClientConfig kafka;
  private final String topic;
  private final Context context;
  private final Listener listener;
  private final LongConsumer lag;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Consumer<byte[], byte[]> consumer;
  private final Decoder decoder;
  private final Supervision supervision;
  private final Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers;

  /** Next offset per partition, of records already handed over (a restarted session resumes). */
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  private final AtomicLong restarts = new AtomicLong();
  private volatile int consecutiveFailures;
  private volatile String lastError;
  private boolean caughtUp;

  /**
   * @param key when present, events without a valid signature are refused (logged and skipped)
   * @param lag told the records not yet read (end offsets - positions) after each poll, on the
   *     consumer's thread
   */
  public EventConsumer(
      KafkaClientConfig kafka,
      String topic,
      Optional<EventKey> key,
      Context context,
      Listener listener,
      LongConsumer lag) {
    this(
        kafka,
        topic,
        new EventCodec(URI.create("/modelsync/api"), key)::decode,
        props ->
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        Supervision.DEFAULT,
        context,
        listener,
        lag);
  }

  /** With the decoder and the Kafka consumer given: tests inject faults here. */
  EventConsumer(
      KafkaClientConfig kafka,
      String topic,
      Decoder decoder,
      Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers,
      Supervision supervision,
      Context context,
      Listener listener,
      LongConsumer lag) {
    this.lag = lag;
    this.kafka = kafka;
    this.decoder = decoder;
    this.consumers = consumers;
    this.supervision = supervision;
    this.topic = topic;
    this.context = context;
    this.listener = listener;
    this.thread = new Thread(this::run, "modelsync-events-consumer");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * Runs consumer sessions until closed. Any failure of a session (a timeout from the broker, an
   * authorization change, a fault in the client) is logged and the session restarted with backoff,
   * from the positions already handed to the listener. After {@code giveUpAfter} failures in a row
   * the consumer keeps trying but reports itself {@link #failure() failed}, which liveness shows.
   */
  private void run() {
    while (running) {
      try {
        session(() -> consecutiveFailures = 0);
        return;
      } catch (WakeupException e) {
        return; // closing
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        int failures = consecutiveFailures + 1;
        consecutiveFailures = failures;
        long backoff =
            Math.min(
                supervision.backoffMaxMs(),
                supervision.backoffMinMs() << Math.min(failures - 1, 20));
        restarts.incrementAndGet();
        lastError = e.toString();
        LOG.warn(
            "Events consumer of {} failed ({} in a row), restarting in {} ms: {}",
            topic,
            failures,
            backoff,
            e.toString());
        sleep(backoff);
      } finally {
        consumer = null;
      }
    }
  }

  /** One consumer from assignment to failure or close; {@code healthy} runs after a good poll. */
  private void session(Runnable healthy) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "modelsync-api-events");
    // partitions added to the topic show within this time
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) supervision.partitionCheckMs());
    try (Consumer<byte[], byte[]> c = consumers.apply(props)) {
      consumer = c;
      if (!running) {
        return;
      }
      List<TopicPartition> partitions = new ArrayList<>(awaitPartitions(c));
      assign(c, partitions);
      Map<TopicPartition, Long> end = caughtUp ? Map.of() : c.endOffsets(partitions);
      long nextCheck = System.nanoTime() + supervision.partitionCheckMs() * 1_000_000;
      while (running) {
        if (!caughtUp && reached(c, end)) {
          caughtUp = true;
          LOG.info("Read {} to the end offsets {}", topic, end.values());
          context.runOnContext(v -> listener.onCaughtUp());
        }
        ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
        reportLag(c, partitions);
        if (!records.isEmpty()) {
          List<ModelEvent> events = decode(records);
          boolean live = caughtUp;
          context.runOnContext(v -> listener.onEvents(events, live));
        }
        for (TopicPartition tp : partitions) {
          positions.put(tp, c.position(tp));
        }
        healthy.run();
        if (System.nanoTime() - nextCheck > 0) {
          nextCheck = System.nanoTime() + supervision.partitionCheckMs() * 1_000_000;
          List<TopicPartition> now = partitionsOf(c.partitionsFor(topic, Duration.ofSeconds(5)));
          if (now.size() > partitions.size()) {
            LOG.info("{} has {} partitions now, was {}", topic, now.size(), partitions.size());
            partitions = new ArrayList<>(now);
            assign(c, partitions);
          }
        }
      }
    }
  }

  /** Assigns the partitions: known ones at the positions reached, new ones from the start. */
  private void assign(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
    c.assign(partitions);
    for (TopicPartition tp : partitions) {
      Long at = positions.get(tp);
      if (at == null) {
        c.seekToBeginning(List.of(tp));
      } else {
        c.seek(tp, at);
      }
    }
  }

  private static List<TopicPartition> partitionsOf(List<PartitionInfo> infos) {
    if (infos == null) {
      return List.of();
    }
    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  /** Null while the consumer works; else why it has failed too many times in a row. */
  public String failure() {
    int n = consecutiveFailures;
    return n < supervision.giveUpAfter()
        ? null
        : "the events consumer of " + topic + " failed " + n + " times in a row: " + lastError;
  }

  /** How often a session failed and was restarted. */
  public long restarts() {
    return restarts.get();
  }

  private List<TopicPartition> awaitPartitions(Consumer<byte[], byte[]> c) {
    long warnAt = System.nanoTime();
    while (running) {
      try {
        List<TopicPartition> found = partitionsOf(c.partitionsFor(topic, Duration.ofSeconds(5)));
        if (!found.isEmpty()) {
          return found;
        }
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // Kafka not reachable yet: keep trying, not ready meanwhile
      }
      if (System.nanoTime() - warnAt > 0) {
        LOG.warn("Waiting for topic {} on {}", topic, kafka.bootstrapServers());
        warnAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      }
      sleep(500);
    }
    throw new WakeupException();
  }

  private static boolean reached(Consumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The lag the consumer knows from its last fetches: no request to the broker. */
  private void reportLag(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
    long total = 0;
    for (TopicPartition tp : partitions) {
      OptionalLong l = c.currentLag(tp);
      if (l.isPresent()) {
        total += l.getAsLong();
      }
    }
    lag.accept(total);
  }

  private List<ModelEvent> decode(ConsumerRecords<byte[], byte[]> records) {
    List<ModelEvent> events = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        events.add(decoder.decode(r.value()));
      } catch (EventDecodingException | RuntimeException e) {
        // skipped, not retried: a record that cannot be read now never will be
        LOG.warn(
            "Skipping record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
    }
    return events;
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Stops the thread and waits for it (blocking: call from a worker). */
  @Override
  public void close() {
    running = false;
    Consumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("Events consumer thread did not stop within 10 s");
    }
  }
}
