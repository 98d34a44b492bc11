package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The edges of the contract's rules: where a boundary sits, what a check returns and says. */
class ContractEdgesTest {
  private final URI source = URI.create("/edges");

  @Test
  @DisplayName("parseVersion: 1 to 18 digits, digits 0-9 only, 1 and up; -1 for anything else")
  void versionBoundaries() {
    assertEquals(1, ModelNames.parseVersion("1"));
    assertEquals(9, ModelNames.parseVersion("9"));
    assertEquals(90, ModelNames.parseVersion("90"));
    assertEquals(999_999_999_999_999_999L, ModelNames.parseVersion("9".repeat(18)));
    assertEquals(-1, ModelNames.parseVersion("1".repeat(19)));
    assertEquals(-1, ModelNames.parseVersion(""));
    assertEquals(-1, ModelNames.parseVersion(null));
    assertEquals(-1, ModelNames.parseVersion("00"));
    assertEquals(-1, ModelNames.parseVersion("-1"));
    assertEquals(-1, ModelNames.parseVersion("\uff11")); // fullwidth digit one
  }

  @Test
  @DisplayName("requireValid and requireValidVersion return what they were given, or throw")
  void requireReturnsItsArgument() {
    assertEquals("iris", ModelNames.requireValid("iris"));
    assertEquals("x".repeat(128), ModelNames.requireValid("x".repeat(128)));
    assertThrows(IllegalArgumentException.class, () -> ModelNames.requireValid("x".repeat(129)));
    assertEquals(1, ModelNames.requireValidVersion(1));
    assertEquals(42, ModelNames.requireValidVersion(42));
    var e = assertThrows(IllegalArgumentException.class, () -> ModelNames.requireValidVersion(0));
    assertTrue(e.getMessage().contains("invalid version 0"), e.getMessage());
  }

  @Test
  @DisplayName("checkRelative: 4096 characters pass, 4097 do not; control characters are escaped")
  void relativePathRules() {
    String longest = "a/".repeat(2047) + "bc";
    assertEquals(4096, longest.length());
    assertDoesNotThrow(() -> ArtifactPaths.checkRelative(longest));
    var tooLong =
        assertThrows(ArtifactPathException.class, () -> ArtifactPaths.checkRelative(longest + "d"));
    assertTrue(tooLong.getMessage().contains("too long"), tooLong.getMessage());
    var control =
        assertThrows(ArtifactPathException.class, () -> ArtifactPaths.checkRelative("a\u0001b"));
    assertTrue(control.getMessage().contains("control character"), control.getMessage());
    assertTrue(control.getMessage().contains("'a\\u0001b'"), control.getMessage());
    var dots =
        assertThrows(ArtifactPathException.class, () -> ArtifactPaths.checkRelative("a/../b"));
    assertTrue(dots.getMessage().contains("'a/../b'"), dots.getMessage());
    assertThrows(ArtifactPathException.class, () -> ArtifactPaths.checkRelative("a\\b"));
    assertDoesNotThrow(() -> ArtifactPaths.checkRelative("größe/模型.onnx"));
  }

  @Test
  @DisplayName("a codec with a key says it signs; data given as bytes decodes like JSON data")
  void codecEdges() throws Exception {
    EventKey key = EventKey.of("k".repeat(EventKey.MIN_LENGTH));
    EventCodec signing = new EventCodec(source, Optional.of(key));
    assertTrue(signing.signing());
    EventCodec plain = new EventCodec(source);
    CloudEvent bytesData =
        CloudEventBuilder.v1()
            .withId("b-1")
            .withSource(source)
            .withType(EventTypes.DELETED)
            .withSubject("iris")
            .withData(
                "application/json",
                "{\"model\":\"iris\",\"version\":2,\"digest\":\"sha256:00\",\"deletedAt\":\"2026-11-22T10:15:30Z\"}"
                    .getBytes(StandardCharsets.UTF_8))
            .build();
    assertEquals(
        new ModelDeleted("iris", 2, "sha256:00", Instant.parse("2026-11-22T10:15:30Z")),
        plain.fromCloudEvent(bytesData));
    assertInstanceOf(
        ModelDeleted.class, signing.fromCloudEvent(new EventSigner(key).sign(bytesData)));
  }

  @Test
  @DisplayName("bad data is refused with the root cause's first line, naming the event")
  void badDataMessage() {
    EventCodec plain = new EventCodec(source);
    CloudEvent event =
        CloudEventBuilder.v1()
            .withId("bad-1")
            .withSource(source)
            .withType(EventTypes.DELETED)
            .withData(
                "application/json",
                "{\"model\":\"iris\",\"version\":0,\"digest\":\"x\",\"deletedAt\":\"2026-11-22T10:15:30Z\"}"
                    .getBytes(StandardCharsets.UTF_8))
            .build();
    var e = assertThrows(EventDecodingException.class, () -> plain.fromCloudEvent(event));
    // the root cause's own message, not Jackson's wrapper nor the exception's toString
    assertEquals(
        "bad dev.modelsync.model.deleted data in event bad-1: invalid version 0: expected 1 or more",
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  @DisplayName("keys: equal by secret, a null secret is a config error, toString redacted")
  void keyEdges() {
    EventKey a = EventKey.of("a".repeat(EventKey.MIN_LENGTH));
    EventKey b = EventKey.of("b".repeat(EventKey.MIN_LENGTH));
    assertNotEquals(a, b);
    assertNotEquals(a.hashCode(), b.hashCode());
    assertEquals(a.hashCode(), EventKey.of("a".repeat(EventKey.MIN_LENGTH)).hashCode());
    assertThrows(IllegalArgumentException.class, () -> EventKey.of(null));
    assertDoesNotThrow(() -> EventKey.of("c".repeat(EventKey.MIN_LENGTH)));
    assertEquals("EventKey[redacted]", a.toString());
  }
}
