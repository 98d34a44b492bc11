package dev.modelsync.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs CloudEvents with the shared {@link EventKey} and checks signatures.
 *
 * <p>The signature is the CloudEvents extension attribute {@value #EXTENSION}: unpadded base64url
 * of HMAC-SHA256, keyed with the UTF-8 bytes of {@code MODELSYNC_EVENT_KEY}, over
 *
 * <pre>
 *   "modelsync-sig-v1"
 *   then for each of id, type, subject (absent = ""): 4-byte big-endian length, UTF-8 bytes
 *   then the data bytes (absent = none)
 * </pre>
 *
 * The data bytes are {@link CloudEventData#toBytes()}: for inline JSON data that is the compact
 * JSON text of the data as Jackson prints it, which is what {@link EventCodec} signs and what a
 * structured-mode decoder yields again. Length prefixes keep the fields from being re-split.
 * Source, time and other attributes are not covered; an earlier signed event can be replayed, which
 * consumers absorb as an at-least-once duplicate.
 */
public final class EventSigner {
  /** The CloudEvents extension attribute holding the signature (lowercase alphanumeric). */
  public static final String EXTENSION = "modelsyncsig";

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] VERSION = "modelsync-sig-v1".getBytes(StandardCharsets.UTF_8);

  /** Whether a signature holds, and if not, why. */
  public enum Verdict {
    VALID,
    MISSING,
    BAD
  }

  /**
   * The outcome of {@link #verify}.
   *
   * @param reason a sentence for the log, naming the event's id and type
   */
  public record Verification(Verdict verdict, String reason) {
    public boolean valid() {
      return verdict == Verdict.VALID;
    }
  }

  private final SecretKeySpec key;

  public EventSigner(EventKey key) {
    this.key = new SecretKeySpec(key.macKey(), ALGORITHM);
  }

  /** The same event with the {@value #EXTENSION} attribute set. */
  public CloudEvent sign(CloudEvent event) {
    return CloudEventBuilder.v1(event).withExtension(EXTENSION, signature(event)).build();
  }

  /** The signature of an event as {@link #sign} would set it. */
  public String signature(CloudEvent event) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(event));
  }

  /** Checks the event's {@value #EXTENSION} attribute against its id, type, subject and data. */
  public Verification verify(CloudEvent event) {
    Object given = event.getExtension(EXTENSION);
    String what = "event " + event.getId() + " (" + event.getType() + ")";
    if (given == null) {
      return new Verification(
          Verdict.MISSING, what + " is unsigned: no " + EXTENSION + " attribute");
    }
    byte[] claimed;
    try {
      claimed = Base64.getUrlDecoder().decode(given.toString());
    } catch (IllegalArgumentException e) {
      return new Verification(Verdict.BAD, what + " has a bad signature: not base64url");
    }
    if (!MessageDigest.isEqual(claimed, mac(event))) {
      return new Verification(
          Verdict.BAD, what + " has a bad signature: signed with another key or altered");
    }
    return new Verification(Verdict.VALID, what + " is signed");
  }

  private byte[] mac(CloudEvent event) {
    Mac mac;
    try {
      mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
    } catch (GeneralSecurityException e) {
      // every Java runtime has HmacSHA256, and any key bytes suit it
      throw new IllegalStateException(e);
    }
    mac.update(VERSION);
    field(mac, event.getId());
    field(mac, event.getType());
    field(mac, event.getSubject());
    CloudEventData data = event.getData();
    if (data != null) {
      mac.update(data.toBytes());
    }
    return mac.doFinal();
  }

  private static void field(Mac mac, String value) {
    byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    mac.update(bytes);
  }
}
