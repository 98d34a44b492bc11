package dev.modelsync.events;

/** An event about one model; the Kafka record key is always {@link #model()}. */
public sealed interface ModelEvent
    permits ModelSaved, ModelDeleted, ModelPinned, ModelStatus, RolloutDecided {
  /** The CloudEvents {@code type}, one of {@link EventTypes}. */
  String type();

  /** The model name, also the CloudEvents {@code subject} and the Kafka record key. */
  String model();

  /** The model version this event is about. */
  long version();
}
