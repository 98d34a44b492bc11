package dev.modelsync.agent.publish;

import dev.modelsync.agent.publish.Refusals.Outgoing;
import dev.modelsync.config.EventRecords;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.TopicRetention;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends model events to Kafka in the order they were submitted. When nothing is waiting and Kafka
 * has been taking records, {@link #submit} hands the record to the producer at once, on the
 * caller's thread; otherwise it queues it for the publisher's own thread, which also creates the
 * topic and retries.
 *
 * <p>The producer is idempotent with {@code acks=all} and an unbounded delivery timeout, so a
 * record handed to it is retried with the same sequence number until Kafka takes it: no loss and no
 * duplicate while Kafka is away, and per-partition order holds. A record the producer would not
 * even accept (no metadata while Kafka is down at start) stays at the head of the queue and is
 * offered again. A record Kafka refuses for good (too large for the topic, not authorized) is held
 * with its model's later events in {@link Refusals} and offered again with backoff; other models'
 * events go on. The caller learns of each acknowledgement and records it only then.
 */
public final class Publisher implements Outbox, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
  private static final long RETRY_MS = 1_000;

  /** What the publisher reports, on a Kafka client thread. */
  public interface Listener {
    void acked(ModelEvent event, RecordMetadata metadata, long latencyNanos);

    /** Not taken yet; the publisher offers it again. */
    void failed(ModelEvent event, Exception error);

    /**
     * Kafka refused it with an error the producer does not retry; the publisher holds it and its
     * model's later events and offers it again with backoff.
     */
    void refused(ModelEvent event, Exception error);
  }

  /**
   * A model whose events wait because Kafka refused one: the event refused last, Kafka's error and
   * how often it was offered.
   */
  public record Refusal(String model, String type, long version, String reason, int attempts) {}

  private final String topic;
  private final String bootstrapServers;
  private final EventCodec codec;
  private final Admin admin;
  private final Listener listener;
  private final KafkaProducer<String, byte[]> producer;

  /** Guards the queue and every hand-over to the producer, so the order of submits holds. */
  private final ReentrantLock lock = new ReentrantLock();

  private final Condition queued = lock.newCondition();
  private final Deque<Outgoing> queue = new ArrayDeque<>();
  private final Refusals refusals = new Refusals();
  private volatile List<Refusal> refusedNow = List.of();
  private volatile boolean holding;
  private long nextSeq;
  private final AtomicInteger unacked = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long retryAtMillis;
  private volatile boolean topicReady;
  private boolean warnedTopic;

  public Publisher(
      KafkaClientConfig kafka,
      String clientId,
      String topic,
      EventCodec codec,
      Admin admin,
      Listener listener) {
    this.topic = topic;
    this.bootstrapServers = kafka.bootstrapServers();
    this.codec = codec;
    this.admin = admin;
    this.listener = listener;
    this.producer = new KafkaProducer<>(producerConfig(kafka, clientId));
    this.thread = new Thread(this::run, "modelsync-agent-publish");
    thread.setDaemon(true);
    thread.start();
  }

  /** The producer settings: idempotent, acks=all, never giving up on a record it holds. */
  public static Map<String, Object> producerConfig(KafkaClientConfig kafka, String clientId) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // Never give up on a record the producer holds: retrying it keeps its sequence number.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    props.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
    props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    return props;
  }

  /** Queues an event behind every event submitted before it. */
  @Override
  public void submit(ModelEvent event) {
    unacked.incrementAndGet();
    lock.lock();
    try {
      Outgoing out = new Outgoing(event, nextSeq++, System.nanoTime());
      if (refusals.holds(event.model())) {
        refusals.hold(out);
      } else if (running
          && topicReady
          && queue.isEmpty()
          && System.currentTimeMillis() >= retryAtMillis) {
        send(out);
      } else {
        queue.addLast(out);
        queued.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Events submitted and not yet acknowledged. */
  public int pending() {
    return unacked.get();
  }

  /** The models whose events Kafka refused and the publisher retries; from any thread. */
  public List<Refusal> refused() {
    return refusedNow;
  }

  private void run() {
    while (running) {
      try {
        long wait = retryAtMillis - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
          continue;
        }
        if (!topicReady) {
          topicReady = ensureTopic();
          if (!topicReady) {
            retryAtMillis = System.currentTimeMillis() + RETRY_MS;
          }
          continue;
        }
        sendRefusedAgain();
        sendNext();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("Publisher loop error; retrying", e);
        retryAtMillis = System.currentTimeMillis() + RETRY_MS;
      }
    }
  }

  /** Waits a little for a queued event and hands it over, holding the lock throughout. */
  private void sendNext() throws InterruptedException {
    lock.lock();
    try {
      if (queue.isEmpty()) {
        queued.await(200, TimeUnit.MILLISECONDS);
      }
      Outgoing next = queue.pollFirst();
      if (next != null && refusals.holds(next.event().model())) {
        refusals.hold(next); // queued before its model's refusal came back
      } else if (next != null) {
        send(next);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Offers refused events whose backoff is over again, one per model at a time. */
  private void sendRefusedAgain() {
    lock.lock();
    try {
      refusals.due(System.currentTimeMillis()).forEach(this::send);
    } finally {
      lock.unlock();
    }
  }

  private boolean ensureTopic() throws InterruptedException {
    NewTopic newTopic =
        new NewTopic(topic, Optional.empty(), Optional.empty()).configs(Topics.MODEL_EVENTS_CONFIG);
    try {
      admin.createTopics(List.of(newTopic)).all().get(5, TimeUnit.SECONDS);
      LOG.info("Created topic {}", topic);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        TopicRetention.check(admin, bootstrapServers, topic); // logs what to set if it drops events
        return true;
      }
      warnTopicOnce(e.getCause().toString());
    } catch (java.util.concurrent.TimeoutException e) {
      warnTopicOnce("Kafka unreachable");
    }
    return false;
  }

  private void warnTopicOnce(String why) {
    if (!warnedTopic) {
      warnedTopic = true;
      LOG.warn(
          "Cannot create topic {} yet ({}); watching on and retrying every second", topic, why);
    }
  }

  private void send(Outgoing out) {
    ModelEvent event = out.event();
    producer.send(
        EventRecords.of(topic, codec, event),
        (metadata, error) -> {
          if (error == null) {
            unacked.decrementAndGet();
            if (holding) {
              update(() -> refusals.acked(out));
            }
            listener.acked(event, metadata, System.nanoTime() - out.queuedNanos());
          } else if (running && error instanceof RetriableException) {
            // Not accepted (no metadata yet): offer it again first, keeping the order.
            requeue(out);
            listener.failed(event, error);
          } else if (running) {
            // Refused (too large, not authorized): kept, with its model's later events, and
            // offered again with backoff, so raising the limit or granting the ACL is enough.
            update(() -> refusals.refused(out, error.toString(), System.currentTimeMillis()));
            listener.refused(event, error);
          }
        });
  }

  private void requeue(Outgoing out) {
    lock.lock();
    try {
      if (!refusals.retriable(out, System.currentTimeMillis())) {
        queue.addFirst(out);
        retryAtMillis = System.currentTimeMillis() + RETRY_MS;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Changes the refusals under the lock and publishes their snapshot for other threads. */
  private void update(Runnable change) {
    lock.lock();
    try {
      change.run();
      refusedNow = List.copyOf(refusals.snapshot());
      holding = refusals.holdsAny();
    } finally {
      lock.unlock();
    }
  }

  /** Stops sending, gives records already handed over a few seconds to be acknowledged. */
  @Override
  public void close() {
    lock.lock(); // a submit under way hands its record over first
    try {
      running = false;
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
