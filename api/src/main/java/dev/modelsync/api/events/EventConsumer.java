package dev.modelsync.api.events;

import dev.modelsync.config.EventKey;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.ModelEvent;
import io.vertx.core.Context;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
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
 * is not thread-safe), without a consumer group: every replica sees every event. Decoded events go
 * to the Vert.x context in order; once the positions reach the end offsets seen at start, the
 * caught-up callback runs there too.
 */
public final class EventConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventConsumer.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /** What the consumer hands its events to; both run on the context. */
  public interface Listener {
    void onEvents(List<ModelEvent> events, boolean caughtUp);

    void onCaughtUp();
  }

  private final KafkaClientConfig kafka;
  private final String topic;
  private final Context context;
  private final Listener listener;
  private final EventCodec codec;
  private final LongConsumer lag;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

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
    this.lag = lag;
    this.kafka = kafka;
    this.codec = new EventCodec(URI.create("/modelsync/api"), key);
    this.topic = topic;
    this.context = context;
    this.listener = listener;
    this.thread = new Thread(this::run, "modelsync-events-consumer");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "modelsync-api-events");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (!running) {
        return;
      }
      List<TopicPartition> partitions = awaitPartitions(c);
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      boolean caughtUp = false;
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
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("Events consumer of {} stopped: {}", topic, e.toString());
      }
    } finally {
      consumer = null;
    }
  }

  private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> c) {
    long warnAt = System.nanoTime();
    while (running) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
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

  private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The lag the consumer knows from its last fetches: no request to the broker. */
  private void reportLag(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
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
        events.add(codec.decode(r.value()));
      } catch (EventDecodingException e) {
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
    KafkaConsumer<byte[], byte[]> c = consumer;
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
