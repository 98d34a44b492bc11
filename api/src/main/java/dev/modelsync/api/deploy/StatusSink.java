package dev.modelsync.api.deploy;

import dev.modelsync.events.ModelStatus;

/** Where the deployer reports what it did; Kafka in production. Must not block. */
public interface StatusSink {
  void publish(ModelStatus status);
}
