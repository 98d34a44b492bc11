package dev.modelsync.testkit.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic from its beginning with one consumer for as long as it is open, decoding every
 * record: each call continues where the last one stopped, so a test waiting for an event does not
 * open a new consumer (a new connection, a metadata fetch, a group join) on every try.
 *
 * <p>It assigns the topic's partitions itself (no consumer group) and never creates the topic: one
 * that does not exist yet is looked for again on the next poll. Not thread-safe: one test thread.
 *
 * @param <T> what a record's value decodes to
 */
public final class TopicReader<T> implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);

  /** Turns a record's value into what the test compares; a failure fails the test. */
  @FunctionalInterface
  public interface Decoder<T> {
    T decode(byte[] value) throws Exception;
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Decoder<T> decoder;
  private final List<T> values = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
  private List<TopicPartition> partitions = List.of();

  public TopicReader(String bootstrapServers, String topic, Decoder<T> decoder) {
    this.topic = topic;
    this.decoder = decoder;
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer());
  }

  /**
   * Every value on the topic from its beginning up to its end as of this call (none while the topic
   * does not exist); fails if that end is not reached within {@code timeout}.
   */
  public List<T> readToEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!assigned()) {
      return List.copyOf(values);
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("could not read " + topic + " to its end in " + timeout);
      }
      poll();
    }
    return List.copyOf(values);
  }

  /** Reads until a value matches and returns the first that does; fails after {@code timeout}. */
  public T await(Predicate<? super T> match, Duration timeout) {
    return awaitMatching(match, 1, timeout).get(0);
  }

  /**
   * Reads until {@code count} values in all arrived and returns them; fails after {@code timeout}.
   */
  public List<T> await(int count, Duration timeout) {
    return awaitMatching(v -> true, count, timeout);
  }

  /**
   * Reads until at least {@code count} values match and returns those that do, in order; fails
   * after {@code timeout}.
   */
  public List<T> awaitMatching(Predicate<? super T> match, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<T> matching = new ArrayList<>();
    int checked = 0;
    while (true) {
      for (; checked < values.size(); checked++) {
        if (match.test(values.get(checked))) {
          matching.add(values.get(checked));
        }
      }
      if (matching.size() >= count) {
        return matching;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "expected "
                + count
                + " matching records on "
                + topic
                + " within "
                + timeout
                + ", read: "
                + values);
      }
      poll();
    }
  }

  /**
   * Keeps reading for {@code period}, then fails unless exactly {@code count} values arrived in all
   * (a check that nothing more is published, so it takes the whole period).
   */
  public List<T> assertExactly(int count, Duration period) {
    long deadline = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < deadline) {
      poll();
    }
    if (values.size() != count) {
      throw new AssertionError("expected " + count + " records on " + topic + ", got " + values);
    }
    return List.copyOf(values);
  }

  /** The values read so far, in the order read. */
  public List<T> values() {
    return List.copyOf(values);
  }

  /** The records read so far, for their keys and headers. */
  public List<ConsumerRecord<String, byte[]>> records() {
    return List.copyOf(records);
  }

  private void poll() {
    if (!assigned()) {
      sleepPoll();
      return;
    }
    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
      records.add(r);
      try {
        values.add(decoder.decode(r.value()));
      } catch (Exception e) {
        throw new AssertionError("undecodable record on " + topic + " at " + r.offset(), e);
      }
    }
  }

  /** Assigns the topic's partitions once it exists; false while it does not. */
  private boolean assigned() {
    if (partitions.isEmpty()) {
      partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (!partitions.isEmpty()) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
      }
    }
    return !partitions.isEmpty();
  }

  /** Waits one poll interval for a topic that does not exist yet (there is nothing to poll). */
  private static void sleepPoll() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
