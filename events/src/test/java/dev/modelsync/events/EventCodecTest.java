package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventCodecTest {
  private final EventCodec codec = new EventCodec(URI.create("/modelsync/agent/test"));
  private final ObjectMapper mapper = new ObjectMapper();

  static ModelSaved saved() {
    var manifest =
        new Manifest(
            "OnnxRuntime",
            "model.onnx",
            List.of(new Manifest.TensorSpec("input", "FP32", List.of(-1L, 4L))),
            List.of(new Manifest.TensorSpec("output", "FP32", List.of(-1L, 3L))),
            List.of(
                new Manifest.ExampleTensor(
                    "input", "FP32", List.of(1L, 4L), List.of(1.0, 2.0, 3.0, 4.0))),
            Map.of("accuracy", 0.97),
            null,
            null);
    return new ModelSaved(
        "iris",
        3,
        "sha256:" + "a".repeat(64),
        1234,
        "OnnxRuntime",
        List.of(new ModelSaved.FileEntry("model.onnx", 1234, "b".repeat(64))),
        "iris/3",
        manifest,
        Instant.parse("2026-11-22T10:15:30.123Z"),
        null);
  }

  @Test
  @DisplayName("a saved event round-trips through CloudEvents structured JSON unchanged")
  void roundTrip() throws Exception {
    ModelSaved event = saved();
    assertEquals(event, codec.decode(codec.encode(event)));
  }

  @Test
  @DisplayName("the wire form is a readable CloudEvents 1.0 document with inline JSON data")
  void wireForm() throws Exception {
    JsonNode json = mapper.readTree(codec.encode(saved()));
    assertEquals("1.0", json.get("specversion").asText());
    assertEquals(EventTypes.SAVED, json.get("type").asText());
    assertEquals("iris", json.get("subject").asText());
    assertEquals("/modelsync/agent/test", json.get("source").asText());
    assertEquals("application/json", json.get("datacontenttype").asText());
    assertEquals(3, json.get("data").get("version").asInt());
    assertEquals("2026-11-22T10:15:30.123Z", json.get("data").get("savedAt").asText());
    assertTrue(json.get("data").get("manifest").get("inputs").isArray());
  }

  @Test
  @DisplayName("deleted and status events round-trip too")
  void otherTypes() throws Exception {
    var deleted = new ModelDeleted("iris", 2, "sha256:x", Instant.parse("2026-01-01T00:00:00Z"));
    assertEquals(deleted, codec.decode(codec.encode(deleted)));
    var status =
        new ModelStatus(
            EventTypes.ACTIVATED,
            "iris",
            2,
            "sha256:x",
            "api-1",
            12L,
            40L,
            null,
            Instant.now(),
            List.of(),
            null);
    assertEquals(status, codec.decode(codec.encode(status)));
  }

  @Test
  @DisplayName(
      "garbage, unknown types and invalid data are decoding errors, never runtime exceptions")
  void badInput() {
    assertThrows(EventDecodingException.class, () -> codec.decode(null));
    assertThrows(
        EventDecodingException.class, () -> codec.decode("{".getBytes(StandardCharsets.UTF_8)));
    assertThrows(
        EventDecodingException.class, () -> codec.decode("[1,2]".getBytes(StandardCharsets.UTF_8)));
    // found by fuzzing: the JSON literal null decoded to a null CloudEvent
    assertThrows(
        EventDecodingException.class,
        () -> codec.decode("null{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8)));
    String unknown =
        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"other\",\"datacontenttype\":\"application/json\",\"data\":{}}";
    assertThrows(
        EventDecodingException.class, () -> codec.decode(unknown.getBytes(StandardCharsets.UTF_8)));
    String badName =
        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"dev.modelsync.model.deleted\","
            + "\"datacontenttype\":\"application/json\",\"data\":{\"model\":\"../etc\",\"version\":1,\"deletedAt\":\"2026-01-01T00:00:00Z\"}}";
    var e =
        assertThrows(
            EventDecodingException.class,
            () -> codec.decode(badName.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("invalid model name"), e.getMessage());
  }
}
