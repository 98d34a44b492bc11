package dev.modelsync.agent;

import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.KafkaWarmUp;
import dev.modelsync.config.Settings;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar modelsync-agent.jar [--flag value ...]}; environment variables otherwise. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(Settings.describe(AgentConfig.OPTIONS));
      return;
    }
    AgentConfig config;
    try {
      config = AgentConfig.from(System.getenv(), args);
    } catch (ConfigException e) {
      LOG.error("modelsync-agent: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Agent.start(vertx, config)
        .onSuccess(
            agent -> {
              Runtime.getRuntime()
                  .addShutdownHook(
                      new Thread(() -> stop(agent, vertx), "modelsync-agent-shutdown"));
              KafkaWarmUp.start(
                  config.kafka(),
                  Publisher.producerConfig(
                      config.kafka(), "modelsync-agent-" + config.instanceId()),
                  config.kafka().warmUpRounds());
            })
        .onFailure(
            e -> {
              LOG.error("modelsync-agent: cannot start: {}", e.toString());
              vertx.close();
              System.exit(1);
            });
  }

  private static void stop(Agent agent, Vertx vertx) {
    try {
      // One after the other: once Vert.x is closed its event loops cannot complete a chained
      // future.
      agent.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      LOG.info("Agent stopped");
    } catch (Exception e) {
      LOG.warn("Agent did not stop cleanly: {}", e.toString());
    }
  }
}
