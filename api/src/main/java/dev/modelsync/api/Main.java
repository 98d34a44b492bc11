package dev.modelsync.api;

import dev.modelsync.api.deploy.LoadWarmUp;
import dev.modelsync.api.kafka.StatusPublisher;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.KafkaWarmUp;
import dev.modelsync.config.Settings;
import dev.modelsync.process.OrderlyExit;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar modelsync-api.jar [--flag value ...]}: configured by environment and flags. */
public final class Main {
  private Main() {}

  private static void quiet(String logger, String level) {
    String key = "org.slf4j.simpleLogger.log." + logger;
    if (System.getProperty(key) == null) {
      System.setProperty(key, level);
    }
  }

  public static void main(String[] args) throws Exception {
    // Before any DJL class loads: never try the network for engines or models.
    System.setProperty("ai.djl.offline", "true");
    // Kafka's clients log every reconnect attempt; the consumer reports waiting for Kafka itself.
    quiet("org.apache.kafka", "warn");
    quiet("org.apache.kafka.clients.NetworkClient", "error");
    quiet("ai.djl.onnxruntime.engine.OrtEngine", "error"); // "CUDA is not supported" on CPU hosts
    quiet("ai.djl.util.cuda.CudaUtils", "error"); // PyTorch builds: "Failed to detect GPU count"
    Logger log = LoggerFactory.getLogger(Main.class);
    if (Arrays.asList(args).contains("--help")) {
      log.info("modelsync-api settings:\n{}", Settings.describe(ApiOptions.OPTIONS));
      return;
    }
    ApiConfig config;
    try {
      config = ApiConfig.from(System.getenv(), args);
    } catch (ConfigException e) {
      log.error("modelsync-api: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Api api;
    try {
      api =
          Api.start(vertx, config)
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("modelsync-api: could not start: {}", e.getCause() == null ? e : e.getCause());
      vertx.close();
      System.exit(1);
      return;
    }
    LoadWarmUp.start(
        config.loadWarmUpRounds(),
        config.eventKey(),
        config.ortIntraOpThreads(),
        config.maxTensorBytes());
    KafkaWarmUp.start(
        config.kafka(),
        StatusPublisher.producerConfig(config.kafka(), config.instanceId()),
        config.kafka().warmUpRounds());
    OrderlyExit.install(
        "modelsync-api",
        () -> {
          try {
            // the warm-ups first: a session ONNX Runtime is creating must end before it is freed
            LoadWarmUp.stop(Duration.ofSeconds(5));
            KafkaWarmUp.stop(Duration.ofSeconds(5));
            api.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            log.warn("Shutdown was not clean: {}", e.toString());
            if (e instanceof InterruptedException) {
              Thread.currentThread().interrupt();
            }
          }
        });
  }
}
