package dev.modelsync.api.kafka;

import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.TopicRetention;
import dev.modelsync.events.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the two topics with their configs when they do not exist yet, so an api started before
 * any agent does not wait for a topic the broker would otherwise auto-create with wrong retention;
 * an events topic that exists already has its retention checked ({@link TopicRetention}).
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {}

  /** Blocking; failures are logged, not thrown (the consumer keeps waiting for the topic). */
  public static void ensure(KafkaClientConfig kafka, String eventsTopic, String statusTopic) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(props)) {
      for (NewTopic topic :
          List.of(
              new NewTopic(eventsTopic, java.util.Optional.empty(), java.util.Optional.empty())
                  .configs(Topics.MODEL_EVENTS_CONFIG),
              new NewTopic(statusTopic, java.util.Optional.empty(), java.util.Optional.empty())
                  .configs(Topics.MODEL_STATUS_CONFIG))) {
        try {
          admin.createTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS);
          LOG.info("Created topic {}", topic.name());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            LOG.warn("Could not create topic {}: {}", topic.name(), e.getCause().toString());
          } else if (topic.name().equals(eventsTopic)) {
            TopicRetention.check(admin, kafka.bootstrapServers(), eventsTopic);
          }
        }
      }
    } catch (Exception e) {
      LOG.warn("Could not check topics on {}: {}", kafka.bootstrapServers(), e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
