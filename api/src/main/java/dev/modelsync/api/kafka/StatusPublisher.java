package dev.modelsync.api.kafka;

import dev.modelsync.api.deploy.StatusSink;
import dev.modelsync.config.EventRecords;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelStatus;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes status events, keyed by model. {@code send} can block on metadata, so it runs on a
 * thread of its own and the caller (an event loop) never waits.
 */
public final class StatusPublisher implements StatusSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);
  private final String topic;
  private final EventCodec codec;
  private final KafkaProducer<String, byte[]> producer;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "modelsync-status-publisher");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param key when present, every status event is signed with it
   */
  public StatusPublisher(
      KafkaClientConfig kafka, String topic, String replica, Optional<EventKey> key) {
    this.topic = topic;
    this.codec = new EventCodec(URI.create("/modelsync/api/" + replica), key);
    this.producer =
        new KafkaProducer<>(
            producerConfig(kafka, replica), new StringSerializer(), new ByteArraySerializer());
  }

  /** The status producer's settings (serializers given apart: String keys, byte[] values). */
  public static Map<String, Object> producerConfig(KafkaClientConfig kafka, String replica) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "modelsync-api-status-" + replica);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return props;
  }

  @Override
  public void publish(ModelStatus status) {
    sender.execute(
        () -> {
          try {
            producer.send(
                EventRecords.of(topic, codec, status),
                (meta, e) -> {
                  if (e != null) {
                    LOG.warn(
                        "Could not publish {} of {}: {}",
                        status.type(),
                        status.model(),
                        e.toString());
                  }
                });
          } catch (RuntimeException e) {
            LOG.warn("Could not publish {} of {}: {}", status.type(), status.model(), e.toString());
          }
        });
  }

  /**
   * Produces an event to another topic (the events topic: admin pins) and completes once Kafka
   * acknowledges it, or fails.
   */
  public CompletableFuture<Void> record(String eventsTopic, ModelEvent event) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      sender.execute(
          () -> {
            try {
              producer.send(
                  EventRecords.of(eventsTopic, codec, event),
                  (meta, e) -> {
                    if (e != null) {
                      done.completeExceptionally(e);
                    } else {
                      done.complete(null);
                    }
                  });
            } catch (RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RuntimeException e) {
      done.completeExceptionally(e); // closing
    }
    return done;
  }

  /** Flushes what is queued and closes (blocking: call from a worker). */
  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
