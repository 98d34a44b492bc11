package dev.modelsync.config;

import dev.modelsync.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start that an existing events topic keeps every event, as {@link
 * Topics#MODEL_EVENTS_CONFIG} creates it. A replica builds its catalog by reading the topic from
 * the start: time or size retention drops the only {@code model.saved} of a model not saved lately,
 * and compaction (key = model name) keeps only a model's newest event, which loses its other
 * versions and the {@code model.deleted} that make a replayed save refusable. The agent and the api
 * both call {@link #check}; a topic that could drop events is logged as an error with the {@code
 * kafka-configs} command that fixes it.
 */
public final class TopicRetention {
  private static final Logger LOG = LoggerFactory.getLogger(TopicRetention.class);

  private TopicRetention() {}

  /** What in an events topic's effective config could drop the latest event of a model. */
  public static List<String> problems(Map<String, String> config) {
    List<String> problems = new ArrayList<>();
    String policy = config.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "delete");
    if (policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      problems.add(
          TopicConfig.CLEANUP_POLICY_CONFIG
              + "="
              + policy
              + " keeps only the newest event per model");
    }
    for (String key :
        List.of(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG)) {
      String value = config.getOrDefault(key, "-1");
      if (!value.equals("-1")) {
        problems.add(key + "=" + value + " drops events older or beyond that");
      }
    }
    return problems;
  }

  /** The command that sets the events topic to keep every event. */
  public static String fix(String bootstrapServers, String topic) {
    return "kafka-configs --bootstrap-server "
        + bootstrapServers
        + " --alter --entity-type topics --entity-name "
        + topic
        + " --add-config cleanup.policy=delete,retention.ms=-1,retention.bytes=-1";
  }

  /**
   * Reads the topic's effective config and logs one error line naming what is wrong and the command
   * that fixes it. Blocking; returns the problems (empty when the topic keeps every event or cannot
   * be described, which is logged as a warning).
   */
  public static List<String> check(Admin admin, String bootstrapServers, String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config;
    try {
      config =
          admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("Could not read the retention of topic {}: {}", topic, e.toString());
      return List.of();
    }
    Map<String, String> values = new java.util.HashMap<>();
    for (ConfigEntry entry : config.entries()) {
      if (entry.value() != null) {
        values.put(entry.name(), entry.value());
      }
    }
    List<String> problems = problems(values);
    if (!problems.isEmpty()) {
      LOG.error(
          "Topic {} can lose model events ({}): a replica starting later would miss models or"
              + " serve deleted versions. Set it to keep every event: {}",
          topic,
          String.join("; ", problems),
          fix(bootstrapServers, topic));
    }
    return problems;
  }
}
