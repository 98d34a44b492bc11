package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelDeleted;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventRecordsTest {
  @Test
  @DisplayName(
      "an event's record goes to the topic, keyed by its model, with the codec's bytes and one"
          + " content-type header naming CloudEvents JSON")
  void keyValueAndHeader() throws Exception {
    EventCodec codec = new EventCodec(URI.create("/modelsync/test"));
    ModelDeleted event =
        new ModelDeleted(
            "iris", 3, "sha256:" + "0".repeat(64), Instant.parse("2026-01-02T03:04:05Z"));
    var record = EventRecords.of("model-events", codec, event);
    assertEquals("model-events", record.topic());
    assertEquals("iris", record.key());
    assertEquals(null, record.partition());
    assertEquals(event, codec.decode(record.value()));
    List<Header> headers = Arrays.asList(record.headers().toArray());
    assertEquals(1, headers.size());
    assertEquals("content-type", headers.get(0).key());
    assertEquals(
        "application/cloudevents+json", new String(headers.get(0).value(), StandardCharsets.UTF_8));
  }
}
