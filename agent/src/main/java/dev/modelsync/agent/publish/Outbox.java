package dev.modelsync.agent.publish;

import dev.modelsync.events.ModelEvent;

/** Where the sync thread hands events, in order: the publisher, or the bucket upload before it. */
public interface Outbox {
  /** Queues an event behind every event submitted before it; never blocks for long. */
  void submit(ModelEvent event);
}
