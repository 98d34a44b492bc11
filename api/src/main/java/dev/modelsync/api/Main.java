package dev.modelsync.api;

import dev.modelsync.config.ConfigException;
import dev.modelsync.config.Settings;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar modelsync-api.jar [--flag value ...]}: configured by environment and flags. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // Before any DJL class loads: never try the network for engines or models.
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    if (Arrays.asList(args).contains("--help")) {
      log.info("modelsync-api settings:\n{}", Settings.describe(ApiConfig.OPTIONS));
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
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    api.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    vertx
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    log.warn("Shutdown was not clean: {}", e.toString());
                  }
                },
                "modelsync-api-shutdown"));
  }
}
