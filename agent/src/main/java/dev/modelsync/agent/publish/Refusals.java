package dev.modelsync.agent.publish;

import dev.modelsync.agent.publish.Publisher.Refusal;
import dev.modelsync.events.ModelEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models whose events Kafka refused with an error the producer does not retry (a record over
 * the topic's {@code max.message.bytes}, an authorization failure). The refused event and every
 * later event of its model wait here, in submit order, so a model's events never overtake each
 * other; other models go on. The head is offered again with backoff until Kafka takes it. Guarded
 * by the publisher's lock.
 */
final class Refusals {
  static final long FIRST_RETRY_MS = 1_000;
  static final long MAX_RETRY_MS = 30_000;

  /** One event on its way: its place in submit order and when it was submitted. */
  record Outgoing(ModelEvent event, long seq, long queuedNanos) {}

  private static final class Held {
    final TreeMap<Long, Outgoing> waiting = new TreeMap<>();
    ModelEvent refusedEvent;
    String reason;
    int attempts;
    long retryAtMillis;
    long inFlightSeq = -1;
  }

  private final Map<String, Held> held = new TreeMap<>();

  /** Whether events of this model must wait behind a refused one. */
  boolean holds(String model) {
    return held.containsKey(model);
  }

  boolean holdsAny() {
    return !held.isEmpty();
  }

  /** Queues an event behind its model's refused one. */
  void hold(Outgoing out) {
    held.get(out.event().model()).waiting.put(out.seq(), out);
  }

  /** Kafka refused {@code out}: it waits, with its model's later events, for a retry. */
  void refused(Outgoing out, String reason, long nowMillis) {
    Held h = held.computeIfAbsent(out.event().model(), m -> new Held());
    h.waiting.put(out.seq(), out);
    if (h.inFlightSeq == out.seq()) {
      h.inFlightSeq = -1;
    }
    h.refusedEvent = out.event();
    h.reason = reason;
    h.attempts++;
    h.retryAtMillis =
        nowMillis + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(h.attempts - 1, 16));
  }

  /** A retried event failed with an error the producer retries: offer it again in a second. */
  boolean retriable(Outgoing out, long nowMillis) {
    Held h = held.get(out.event().model());
    if (h == null || h.inFlightSeq != out.seq()) {
      return false;
    }
    h.inFlightSeq = -1;
    h.waiting.put(out.seq(), out);
    h.retryAtMillis = nowMillis + FIRST_RETRY_MS;
    return true;
  }

  /** Kafka took {@code out}; when it was its model's retry, the model's next event may go. */
  void acked(Outgoing out) {
    Held h = held.get(out.event().model());
    if (h == null || h.inFlightSeq != out.seq()) {
      return;
    }
    h.inFlightSeq = -1;
    h.attempts = 0;
    h.retryAtMillis = 0;
    if (h.waiting.isEmpty()) {
      held.remove(out.event().model());
    }
  }

  /** The events due to be offered again now, at most one per model; marked in flight. */
  List<Outgoing> due(long nowMillis) {
    List<Outgoing> due = new ArrayList<>();
    for (Held h : held.values()) {
      if (h.inFlightSeq < 0 && nowMillis >= h.retryAtMillis && !h.waiting.isEmpty()) {
        Outgoing next = h.waiting.pollFirstEntry().getValue();
        h.inFlightSeq = next.seq();
        due.add(next);
      }
    }
    return due;
  }

  /** The refused models now, each with the event Kafka refused last. */
  List<Refusal> snapshot() {
    List<Refusal> out = new ArrayList<>();
    held.forEach(
        (model, h) -> {
          if (h.attempts > 0) {
            ModelEvent e = h.refusedEvent;
            out.add(new Refusal(model, e.type(), e.version(), h.reason, h.attempts));
          }
        });
    return out;
  }
}
