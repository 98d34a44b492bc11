package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RolloutContractTest {
  private final EventCodec codec = new EventCodec(URI.create("/modelsync/api/test"));

  static RolloutMeasures shadowMeasures() {
    return new RolloutMeasures(
        "shadow", 1, null, 10, 0L, 6.0, 3.0, 0.5, 1.5, 0.0, null, null, null);
  }

  @Test
  @DisplayName("each rollout decision round-trips through the codec with its measures")
  void decisionsRoundTrip() throws Exception {
    Instant at = Instant.parse("2026-12-02T05:00:00Z");
    for (String type : List.of(EventTypes.PROMOTED, EventTypes.STEPPED, EventTypes.ROLLED_BACK)) {
      RolloutDecided d =
          new RolloutDecided(type, "iris", 2, 1, 25, "why", "api-1", at, shadowMeasures());
      assertEquals(d, codec.decode(codec.encode(d)));
    }
    RolloutDecided admin =
        new RolloutDecided(EventTypes.PROMOTED, "iris", 2, 0, 0, null, "api-1", at, null);
    String wire = new String(codec.encode(admin), StandardCharsets.UTF_8);
    assertTrue(!wire.contains("measures"), wire);
    assertEquals(admin, codec.decode(codec.encode(admin)));
  }

  @Test
  @DisplayName("a progress status carries the measures; a status without them omits the field")
  void progressStatus() throws Exception {
    ModelStatus progress =
        new ModelStatus(
            EventTypes.ROLLOUT_PROGRESS,
            "iris",
            2,
            null,
            "api-1",
            null,
            null,
            null,
            Instant.parse("2026-12-02T05:00:00Z"),
            null,
            shadowMeasures());
    assertEquals(progress, codec.decode(codec.encode(progress)));
    ModelStatus loaded =
        new ModelStatus(
            EventTypes.LOADED,
            "iris",
            2,
            null,
            "api-1",
            3L,
            null,
            null,
            Instant.now(),
            List.of(),
            null);
    assertTrue(!new String(codec.encode(loaded), StandardCharsets.UTF_8).contains("rollout"));
  }

  @Test
  @DisplayName("a decision whose data names another type than the event is refused")
  void typeMismatch() throws Exception {
    RolloutDecided d =
        new RolloutDecided(
            EventTypes.PROMOTED, "iris", 2, 0, 0, null, "api-1", Instant.now(), null);
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode wire = (ObjectNode) mapper.readTree(codec.encode(d));
    ((ObjectNode) wire.get("data")).put("type", EventTypes.ROLLED_BACK);
    byte[] bytes = mapper.writeValueAsBytes(wire);
    assertThrows(EventDecodingException.class, () -> codec.decode(bytes));
  }

  @Test
  @DisplayName("a decision with a share beyond 100 or a version below 1 cannot be built")
  void invalid() {
    Instant at = Instant.now();
    assertThrows(
        IllegalArgumentException.class,
        () -> new RolloutDecided(EventTypes.STEPPED, "iris", 2, 1, 101, null, "r", at, null));
    assertThrows(
        RuntimeException.class,
        () -> new RolloutDecided(EventTypes.PROMOTED, "iris", 0, 0, 0, null, "r", at, null));
  }
}
