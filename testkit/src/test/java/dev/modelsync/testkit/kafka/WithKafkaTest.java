package dev.modelsync.testkit.kafka;

import static dev.modelsync.testkit.kafka.EmbeddedKafkaTest.produce;
import static dev.modelsync.testkit.kafka.EmbeddedKafkaTest.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelsync.kafka.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WithKafka(WithKafka.Scope.CLASS)
class WithKafkaTest {
  static EmbeddedKafka fromBeforeAll;

  @BeforeAll
  static void remember(EmbeddedKafka kafka) {
    fromBeforeAll = kafka;
  }

  @Test
  @DisplayName("the class's tests and its @BeforeAll are handed the same running broker")
  void oneBrokerPerClass(EmbeddedKafka kafka) throws Exception {
    assertSame(fromBeforeAll, kafka);
    produce(kafka.bootstrapServers(), "handed", "v");
    try (var reader = strings(kafka, "handed")) {
      assertEquals(List.of("v"), reader.await(1, Duration.ofSeconds(30)));
    }
  }

  @Test
  @DisplayName("the reader waits for a topic that does not exist yet, and returns the first match")
  void awaitsMatch(EmbeddedKafka kafka) throws Exception {
    try (var reader = strings(kafka, "later")) {
      assertEquals(List.of(), reader.readToEnd(Duration.ofSeconds(30)));
      produce(kafka.bootstrapServers(), "later", "a1");
      produce(kafka.bootstrapServers(), "later", "b2");
      produce(kafka.bootstrapServers(), "later", "b3");
      assertEquals("b2", reader.await(v -> v.startsWith("b"), Duration.ofSeconds(30)));
      assertEquals(List.of("a1", "b2", "b3"), reader.readToEnd(Duration.ofSeconds(30)));
      assertThrows(
          AssertionError.class, () -> reader.await(v -> v.equals("c"), Duration.ofMillis(300)));
    }
  }
}
