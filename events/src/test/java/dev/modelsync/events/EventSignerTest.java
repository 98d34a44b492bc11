package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventSignerTest {
  static final EventKey KEY = EventKey.of("k".repeat(EventKey.MIN_LENGTH));
  static final EventKey OTHER_KEY = EventKey.of("o".repeat(EventKey.MIN_LENGTH));
  private final URI source = URI.create("/modelsync/agent/test");
  private final EventCodec signing = new EventCodec(source, Optional.of(KEY));
  private final EventCodec plain = new EventCodec(source);
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  @DisplayName("a signed event decodes with the key, and the signature is a lowercase extension")
  void roundTrip() throws Exception {
    ModelSaved saved = EventCodecTest.saved();
    byte[] wire = signing.encode(saved);
    assertEquals(saved, signing.decode(wire));
    String sig = mapper.readTree(wire).get(EventSigner.EXTENSION).asText();
    assertTrue(sig.matches("[A-Za-z0-9_-]{43}"), sig);
    assertTrue(EventSigner.EXTENSION.matches("[a-z0-9]{1,20}"));
  }

  @Test
  @DisplayName(
      "tricky data (unicode, escapes, floats, big numbers, nesting) verifies after the wire")
  void trickyDataVerifies() throws Exception {
    Manifest manifest =
        new Manifest(
            "OnnxRuntime",
            "m\u00f6del \"x\".onnx",
            null,
            null,
            null,
            Map.of(
                "accuracy",
                0.1 + 0.2,
                "tiny",
                1.0e-300,
                "big",
                Long.MAX_VALUE,
                "note",
                "\u2603 tab\t newline\n quote\" slash\\ emoji \uD83D\uDE00",
                "nested",
                Map.of("list", List.of(1, 2.5f, "x"))),
            null,
            null);
    ModelSaved saved =
        new ModelSaved(
            "iris",
            1,
            "sha256:abc",
            1,
            "OnnxRuntime",
            List.of(),
            "iris/1",
            manifest,
            Instant.parse("2026-11-22T10:15:30.123456789Z"),
            null);
    assertEquals(saved.digest(), ((ModelSaved) signing.decode(signing.encode(saved))).digest());
  }

  @Test
  @DisplayName("with a key, unsigned events are refused with a message saying so")
  void unsignedRefused() {
    byte[] unsigned = plain.encode(EventCodecTest.saved());
    var e = assertThrows(EventDecodingException.class, () -> signing.decode(unsigned));
    assertTrue(e.getMessage().contains("unsigned"), e.getMessage());
    assertTrue(e.getMessage().contains("MODELSYNC_EVENT_KEY"), e.getMessage());
  }

  @Test
  @DisplayName("with a key, events signed with another key or altered are refused as badly signed")
  void badSignatureRefused() throws Exception {
    EventCodec otherKey = new EventCodec(source, Optional.of(OTHER_KEY));
    var e =
        assertThrows(
            EventDecodingException.class,
            () -> signing.decode(otherKey.encode(EventCodecTest.saved())));
    assertTrue(e.getMessage().contains("bad signature"), e.getMessage());

    ObjectNode doc = (ObjectNode) mapper.readTree(signing.encode(EventCodecTest.saved()));
    ((ObjectNode) doc.get("data")).put("artifact", "../../etc");
    e = assertThrows(EventDecodingException.class, () -> signing.decode(bytes(doc)));
    assertTrue(e.getMessage().contains("bad signature"), e.getMessage());

    ObjectNode renamed = (ObjectNode) mapper.readTree(signing.encode(EventCodecTest.saved()));
    renamed.put("subject", "other");
    e = assertThrows(EventDecodingException.class, () -> signing.decode(bytes(renamed)));
    assertTrue(e.getMessage().contains("bad signature"), e.getMessage());

    ObjectNode garbled = (ObjectNode) mapper.readTree(signing.encode(EventCodecTest.saved()));
    garbled.put(EventSigner.EXTENSION, "***");
    e = assertThrows(EventDecodingException.class, () -> signing.decode(bytes(garbled)));
    assertTrue(e.getMessage().contains("bad signature"), e.getMessage());
  }

  @Test
  @DisplayName("without a key, signatures are ignored: signed and unsigned events both decode")
  void noKeyIgnoresSignatures() throws Exception {
    assertNotNull(plain.decode(signing.encode(EventCodecTest.saved())));
    assertNotNull(plain.decode(plain.encode(EventCodecTest.saved())));
    assertFalse(plain.signing());
    assertFalse(mapper.readTree(plain.encode(EventCodecTest.saved())).has(EventSigner.EXTENSION));
  }

  @Test
  @DisplayName("verify gives MISSING, BAD or VALID with a reason naming the event")
  void verdicts() {
    EventSigner signer = new EventSigner(KEY);
    CloudEvent event =
        CloudEventBuilder.v1()
            .withId("e-1")
            .withSource(source)
            .withType(EventTypes.DELETED)
            .withSubject("iris")
            .withData("{}".getBytes(StandardCharsets.UTF_8))
            .build();
    var missing = signer.verify(event);
    assertEquals(EventSigner.Verdict.MISSING, missing.verdict());
    assertTrue(missing.reason().contains("e-1"), missing.reason());
    assertTrue(signer.verify(signer.sign(event)).valid());
    var wrongKey = signer.verify(new EventSigner(OTHER_KEY).sign(event));
    assertEquals(EventSigner.Verdict.BAD, wrongKey.verdict());
    // id, type and subject are covered, and a field boundary cannot be moved
    CloudEvent moved =
        CloudEventBuilder.v1(signer.sign(event)).withId("e-1" + EventTypes.DELETED).build();
    assertEquals(EventSigner.Verdict.BAD, signer.verify(moved).verdict());
  }

  @Test
  @DisplayName(
      "a short key is refused with a message that does not echo the key, and toString hides it")
  void keyRules() {
    String secret = "short-secret-value";
    var e = assertThrows(IllegalArgumentException.class, () -> EventKey.of(secret));
    assertTrue(e.getMessage().contains("MODELSYNC_EVENT_KEY"), e.getMessage());
    assertFalse(e.getMessage().contains(secret));
    assertFalse(KEY.toString().contains("kkkk"));
    assertEquals(KEY, EventKey.of("k".repeat(EventKey.MIN_LENGTH)));
  }

  private byte[] bytes(ObjectNode doc) throws Exception {
    return mapper.writeValueAsBytes(doc);
  }
}
