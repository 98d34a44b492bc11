package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.agent.Agent;
import dev.modelsync.agent.AgentConfig;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiCrashIT {
  @Test
  @DisplayName("the api is killed -9 and started again: it serves the same versions, from Kafka")
  void crashAndRestart(@TempDir Path dir) throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Path store = dir.resolve("store");
    Vertx vertx = Vertx.vertx();
    try (var kafka = EmbeddedKafka.at(dir.resolve("kafka"), 0).start()) {
      Agent agent =
          Agent.start(
                  vertx,
                  AgentConfig.from(
                      Map.of(
                          "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                          "MODELSYNC_MODELS_DIR", models.toString(),
                          "MODELSYNC_STORE_DIR", store.toString(),
                          "MODELSYNC_AGENT_PORT", "0")))
              .await(60, TimeUnit.SECONDS);
      try {
        StandaloneHarness.saveVersion(models, "a", 1, OnnxModelWriter.affine(1f));
        StandaloneHarness.saveVersion(models, "a", 2, OnnxModelWriter.affine(2f));
        StandaloneHarness.saveVersion(models, "b", 1, OnnxModelWriter.affine(3f));
        String before;
        try (ChildJvm api = startApi(kafka, store, dir, "api-1.log")) {
          before = awaitServing(api);
          api.kill();
        }
        try (ChildJvm api = startApi(kafka, store, dir, "api-2.log")) {
          assertEquals(before, awaitServing(api), "the same versions after the restart");
        }
      } finally {
        agent.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private int port;

  private ChildJvm startApi(EmbeddedKafka kafka, Path store, Path dir, String log)
      throws Exception {
    port = ChildJvm.freePort();
    return new ChildJvm(
        ChildJvm.API_JAR,
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
            "MODELSYNC_STORE_DIR", store.toString(),
            "MODELSYNC_PORT", Integer.toString(port),
            "MODELSYNC_GRPC_PORT", "0"),
        dir.resolve(log));
  }

  /** Waits for a/2 and b/1 to answer; returns what is served: versions and answers. */
  private String awaitServing(ChildJvm api) throws InterruptedException {
    try {
      Faults.awaitAnswer(port, "a", "[20.0,22.0,24.0]", Duration.ofSeconds(90));
      Faults.awaitAnswer(port, "b", "[30.0,33.0,36.0]", Duration.ofSeconds(30));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + api.output(), e);
    }
    String served =
        "a versions "
            + versions("a")
            + " answering "
            + Faults.answer(port, "a")
            + ", b versions "
            + versions("b")
            + " answering "
            + Faults.answer(port, "b");
    System.out.println("api serves: " + served);
    return served;
  }

  /** The loaded versions, from KServe model metadata. */
  private String versions(String model) {
    String body = Faults.get(port, "/v2/models/" + model).body();
    int at = body.indexOf("\"versions\":");
    return body.substring(at + 11, body.indexOf(']', at) + 1);
  }
}
