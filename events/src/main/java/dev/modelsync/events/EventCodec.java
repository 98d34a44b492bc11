package dev.modelsync.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Encodes {@link ModelEvent}s as CloudEvents 1.0 in structured JSON mode and back. The data is
 * inline JSON ({@code datacontenttype: application/json}), so any consumer such as {@code kcat}
 * shows a readable document.
 *
 * <p>With an {@link EventKey} every encoded event carries a signature ({@link EventSigner}), and
 * decoding refuses an event that is unsigned or badly signed. Without one, signatures are neither
 * written nor checked.
 */
public final class EventCodec {
  /** The Kafka {@code content-type} header value of every record this codec writes. */
  public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;

  private static final String DATA_CONTENT_TYPE = "application/json";
  private final JsonFormat format = new JsonFormat();
  private final ObjectMapper mapper = Json.newMapper();
  private final URI source;
  private final Optional<EventSigner> signer;

  /**
   * A codec that neither signs nor checks signatures.
   *
   * @param source the CloudEvents {@code source} of events this codec encodes, such as {@code
   *     /modelsync/agent/host-1}
   */
  public EventCodec(URI source) {
    this(source, Optional.empty());
  }

  /**
   * @param source the CloudEvents {@code source} of events this codec encodes
   * @param key when present, events are signed on encoding and must be signed with it on decoding
   */
  public EventCodec(URI source, Optional<EventKey> key) {
    this.source = source;
    this.signer = key.map(EventSigner::new);
  }

  /** Whether this codec signs events and refuses unsigned ones. */
  public boolean signing() {
    return signer.isPresent();
  }

  public byte[] encode(ModelEvent event) {
    return format.serialize(toCloudEvent(event));
  }

  public CloudEvent toCloudEvent(ModelEvent event) {
    CloudEvent cloudEvent;
    try {
      // Data as the JSON tree a decoder rebuilds, so both sides sign the same bytes.
      JsonCloudEventData data =
          JsonCloudEventData.wrap(mapper.readTree(mapper.writeValueAsBytes(event)));
      cloudEvent =
          CloudEventBuilder.v1()
              .withId(UUID.randomUUID().toString())
              .withSource(source)
              .withType(event.type())
              .withSubject(event.model())
              .withTime(Instant.now().atOffset(ZoneOffset.UTC))
              .withDataContentType(DATA_CONTENT_TYPE)
              .withData(data)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return signer.map(s -> s.sign(cloudEvent)).orElse(cloudEvent);
  }

  /**
   * Decodes a record value; every failure, whatever its cause, is an {@link
   * EventDecodingException}.
   */
  public ModelEvent decode(byte[] value) throws EventDecodingException {
    if (value == null) {
      throw new EventDecodingException("empty record (tombstone)");
    }
    CloudEvent event;
    try {
      event = format.deserialize(value);
    } catch (RuntimeException e) {
      throw new EventDecodingException("not a CloudEvents JSON document: " + e.getMessage(), e);
    }
    if (event == null) {
      // found by fuzzing: a record starting with the JSON literal null
      throw new EventDecodingException("not a CloudEvents JSON document: null");
    }
    return fromCloudEvent(event);
  }

  /**
   * The model event a CloudEvent carries; with a key, only if its signature holds. Every failure is
   * an {@link EventDecodingException} whose message says what is wrong.
   */
  public ModelEvent fromCloudEvent(CloudEvent event) throws EventDecodingException {
    if (signer.isPresent()) {
      EventSigner.Verification verification = signer.get().verify(event);
      if (!verification.valid()) {
        throw new EventDecodingException(
            "refused: " + verification.reason() + " (" + EventKey.ENV + " is set)");
      }
    }
    if (event.getData() == null) {
      throw new EventDecodingException("event " + event.getId() + " has no data");
    }
    Class<? extends ModelEvent> dataType =
        switch (event.getType()) {
          case EventTypes.SAVED -> ModelSaved.class;
          case EventTypes.DELETED -> ModelDeleted.class;
          case EventTypes.PINNED -> ModelPinned.class;
          case EventTypes.PROMOTED, EventTypes.STEPPED, EventTypes.ROLLED_BACK ->
              RolloutDecided.class;
          case EventTypes.LOADED,
              EventTypes.ACTIVATED,
              EventTypes.LOAD_FAILED,
              EventTypes.UNLOADED,
              EventTypes.REJECTED,
              EventTypes.ROLLOUT_PROGRESS ->
              ModelStatus.class;
          default -> throw new EventDecodingException("unknown event type " + event.getType());
        };
    try {
      // The format parsed the data into a tree already: bind that rather than print and re-parse.
      ModelEvent decoded =
          event.getData() instanceof JsonCloudEventData json
              ? mapper.treeToValue(json.getNode(), dataType)
              : mapper.readValue(event.getData().toBytes(), dataType);
      if (decoded instanceof ModelStatus status && !status.type().equals(event.getType())) {
        throw new EventDecodingException(
            "event type " + event.getType() + " does not match data type " + status.type());
      }
      if (decoded instanceof RolloutDecided decision && !decision.type().equals(event.getType())) {
        throw new EventDecodingException(
            "event type " + event.getType() + " does not match data type " + decision.type());
      }
      return decoded;
    } catch (IOException | RuntimeException e) {
      throw new EventDecodingException(
          "bad " + event.getType() + " data in event " + event.getId() + ": " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage().lines().findFirst().orElse("");
  }
}
