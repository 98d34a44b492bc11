package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Topics;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.testkit.kafka.WithKafka;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The warm-up topic is shared by every process on a broker; on a broker of its own here. */
@WithKafka(WithKafka.Scope.CLASS)
class KafkaWarmUpSharedTopicTest {
  private static final Map<String, Object> PRODUCER = KafkaWarmUpTest.PRODUCER;

  @Test
  @DisplayName(
      "records on the shared warm-up topic that are not events (an older process's) do not end it")
  void foreignRecords(EmbeddedKafka kafka) throws Exception {
    KafkaClientConfig config = new KafkaClientConfig(kafka.bootstrapServers(), Map.of(), 100);
    KafkaWarmUp.run(config, PRODUCER, 1, Duration.ofSeconds(60)); // the topic exists
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    Thread foreign =
        new Thread(
            () -> {
              try (var producer =
                  new KafkaProducer<>(
                      Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                      new StringSerializer(),
                      new ByteArraySerializer())) {
                while (running.get()) {
                  producer.send(new ProducerRecord<>(Topics.WARM_UP, "warmup", new byte[512]));
                  sent.incrementAndGet();
                  Thread.sleep(2);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    foreign.start();
    try {
      BackgroundWarmUp.Outcome o = KafkaWarmUp.run(config, PRODUCER, 1000, Duration.ofSeconds(60));
      assertEquals(1000, o.rounds());
    } finally {
      running.set(false);
      foreign.join();
    }
    assertTrue(sent.get() > 100, "foreign records sent meanwhile: " + sent.get());
  }
}
