package dev.modelsync.events;

import java.util.Map;

/** Topic names and the settings each topic is created with. */
public final class Topics {
  /** {@code model.saved} and {@code model.deleted}, record key = model name. */
  public static final String MODEL_EVENTS = "modelsync.model-events";

  /**
   * {@code model.loaded}, {@code model.activated}, {@code model.load_failed}, {@code
   * model.unloaded}.
   */
  public static final String MODEL_STATUS = "modelsync.model-status";

  /**
   * The events topic keeps every event forever rather than compacting by key: with key = model
   * name, compaction would keep only the newest event of a model, and a {@code model.deleted} of an
   * old version would then hide the versions still present. Events are small; a replica rebuilds
   * its catalog by reading the topic from the start, and it needs every {@code model.deleted} to
   * refuse a {@code model.saved} replayed after its version was deleted. An existing topic is
   * checked against this at start by {@code dev.modelsync.config.TopicRetention}.
   */
  public static final Map<String, String> MODEL_EVENTS_CONFIG =
      Map.of("cleanup.policy", "delete", "retention.ms", "-1");

  /** Status is an operational stream: a week is plenty. */
  public static final Map<String, String> MODEL_STATUS_CONFIG =
      Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(7L * 24 * 3600 * 1000));

  /**
   * Where each process runs Kafka's produce and consume path at start, so that the first saves run
   * compiled code in its clients and in the broker ({@code dev.modelsync.config.KafkaWarmUp}). Its
   * records are meaningless and kept ten minutes.
   */
  public static final String WARM_UP = "modelsync.warmup";

  /** Ten minutes, in segments of at most 1 MiB or ten minutes, so old ones are deleted. */
  public static final Map<String, String> WARM_UP_CONFIG =
      Map.of(
          "cleanup.policy", "delete",
          "retention.ms", "600000",
          "segment.ms", "600000",
          "segment.bytes", "1048576");

  private Topics() {}
}
