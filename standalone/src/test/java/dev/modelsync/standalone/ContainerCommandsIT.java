package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.modelsync.agent.AgentConfig;
import dev.modelsync.api.ApiOptions;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.config.Option;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Docker engine runs here, so the containers' commands run as plain processes: the agent and api
 * jars started the way their Dockerfiles' ENTRYPOINTs start them, with the environment compose.yaml
 * gives them (addresses, paths and ports swapped for this machine's), against a real embedded
 * broker.
 */
class ContainerCommandsIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  @DisplayName("compose's agent and api environments name only variables the programs read")
  void composeEnvironmentIsKnown() throws Exception {
    JsonNode compose = resolvedCompose();
    assertKnown(compose, "agent", AgentConfig.OPTIONS);
    assertKnown(compose, "api", ApiOptions.OPTIONS);
  }

  @Test
  @DisplayName("the agent and api container commands, run as processes, serve a saved model")
  void containerCommandsServeAModel(@TempDir Path dir) throws Exception {
    JsonNode compose = resolvedCompose();
    Path models = Files.createDirectories(dir.resolve("models"));
    Path store = Files.createDirectories(dir.resolve("store"));
    int agentPort = StandaloneProcess.freePort();
    int apiPort = StandaloneProcess.freePort();
    List<Process> processes = new ArrayList<>();
    try (var kafka = EmbeddedKafka.onFreePort().start()) {
      Map<String, String> swap =
          Map.of(
              "kafka:9092", kafka.bootstrapServers(),
              "/models", models.toString(),
              "/store", store.toString(),
              "8081", Integer.toString(agentPort),
              "8080", Integer.toString(apiPort));
      processes.add(
          Dockerfiles.start(
              Dockerfiles.command("agent"),
              environment(compose, "agent", swap),
              dir.resolve("agent.log")));
      processes.add(
          Dockerfiles.start(
              Dockerfiles.command("api"),
              environment(compose, "api", swap),
              dir.resolve("api.log")));

      DemoModel.save(models, "iris", 1, OnnxModelWriter.affine(3f));
      String answer = awaitAnswer(apiPort, "iris", dir);
      assertTrue(answer.contains("\"data\":[30.0,33.0,36.0]"), answer);
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
    } finally {
      for (Process p : processes) {
        p.toHandle().destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  static JsonNode resolvedCompose() throws Exception {
    assumeTrue(
        new File("/usr/bin/docker-compose").canExecute(),
        "docker-compose is not installed (CI installs it)");
    Process p =
        new ProcessBuilder(
                "docker-compose", "-f", ROOT.resolve("compose.yaml").toString(), "config")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] yaml = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), "docker-compose config failed");
    return new ObjectMapper(new YAMLFactory()).readTree(yaml);
  }

  private static void assertKnown(JsonNode compose, String service, List<Option> options) {
    Set<String> known = options.stream().map(Option::env).collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>();
    compose
        .path("services")
        .path(service)
        .path("environment")
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name) && !BucketConfig.SDK_VARIABLES.contains(name)) {
                unknown.add(name);
              }
            });
    assertEquals(Set.of(), unknown, service + " sets variables its config does not read");
  }

  private static Map<String, String> environment(
      JsonNode compose, String service, Map<String, String> swap) {
    Map<String, String> env = new HashMap<>();
    compose
        .path("services")
        .path(service)
        .path("environment")
        .fields()
        .forEachRemaining(
            e -> {
              String value = e.getValue().asText();
              env.put(e.getKey(), swap.getOrDefault(value, value));
            });
    assertTrue(env.containsKey("KAFKA_BOOTSTRAP_SERVERS"), service + " environment: " + env);
    return env;
  }

  private String awaitAnswer(int port, String model, Path dir) throws Exception {
    var request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
            .POST(HttpRequest.BodyPublishers.ofString(StandaloneIT.INFER_BODY))
            .build();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200) {
          return r.body();
        }
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "never answered: "
            + last
            + "\nagent:\n"
            + Files.readString(dir.resolve("agent.log"))
            + "\napi:\n"
            + Files.readString(dir.resolve("api.log")));
  }
}
