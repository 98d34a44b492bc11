package dev.modelsync.standalone.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import dev.modelsync.testkit.s3.S3Proxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker, the agent, an S3 server (S3Proxy) and api replicas on hosts of their own (network
 * namespaces on a bridge), sharing nothing but the network: the agent uploads each version to the
 * bucket before announcing it; three replicas have no store directory and fetch versions from the
 * agent over HTTP, a fourth reads only from the bucket. Runs the built jars; needs root for {@code
 * ip netns}, skipped otherwise.
 */
class CrossHostIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path AGENT_JAR = ROOT.resolve("agent/target/modelsync-agent.jar");
  private static final Path API_JAR = ROOT.resolve("api/target/modelsync-api.jar");
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final String INFER =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Network net;
  private static Path dir;
  private static String bootstrap;
  private static String agentUrl;
  private static String s3Host;
  private static final Map<String, Process> processes = new HashMap<>();

  @BeforeAll
  static void hosts() throws Exception {
    assumeTrue(
        "0".equals(output("id", "-u")), "cross-host test skipped: needs root for `ip netns add`");
    try {
      net = new Network();
    } catch (IOException e) {
      Network.removeLeftovers();
      assumeTrue(false, "cross-host test skipped: cannot create network namespaces: " + e);
    }
    assertTrue(Files.isRegularFile(AGENT_JAR) && Files.isRegularFile(API_JAR), "run mvn package");
    dir = Files.createTempDirectory("modelsync-netns");
    bootstrap = net.node("kafka", 10) + ":9092";
    agentUrl = "http://" + net.node("agent", 11) + ":8081";
    s3Host = net.node("s3", 12);
    net.node("api1", 21);
    net.node("api2", 22);
    net.node("api3", 23);
    net.node("api4", 24);
  }

  @AfterAll
  static void tearDown() throws Exception {
    for (Process p : processes.values()) {
      p.destroy();
    }
    for (Process p : processes.values()) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (net != null) {
      net.close();
    }
    if (dir != null) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  @DisplayName(
      "replicas on other hosts get each save over HTTP or from the bucket, survive a cut link,"
          + " catch up late")
  void acrossHosts() throws Exception {
    start(
        "kafka",
        List.of(
            java(),
            "-Xmx384m",
            "-cp",
            System.getProperty("java.class.path"),
            BrokerMain.class.getName(),
            dir.resolve("kafka").toString(),
            bootstrap.split(":")[0],
            "9092"),
        Map.of());
    await("the broker", () -> log("kafka").contains(BrokerMain.READY));
    // the bucket: with S3Proxy's filesystem backend, a directory under data/ is a bucket
    Files.createDirectories(dir.resolve("s3/data/models"));
    start("s3", S3Proxy.command(dir.resolve("s3"), s3Host, 9000), Map.of());
    await("the bucket", () -> status("agent", s3Url()) > 0);
    Path models = Files.createDirectories(dir.resolve("models"));
    start(
        "agent",
        List.of(java(), "-Xmx256m", "-jar", AGENT_JAR.toString()),
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS",
            bootstrap,
            "MODELSYNC_MODELS_DIR",
            models.toString(),
            "MODELSYNC_STORE_DIR",
            dir.resolve("store").toString(),
            "MODELSYNC_AGENT_PORT",
            "8081",
            "MODELSYNC_INSTANCE_ID",
            "agent",
            "MODELSYNC_S3_BUCKET",
            "models",
            "MODELSYNC_S3_ENDPOINT",
            s3Url(),
            "MODELSYNC_S3_PATH_STYLE",
            "true",
            "AWS_ACCESS_KEY_ID",
            S3Proxy.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY",
            S3Proxy.SECRET_KEY));
    startApi("api1");
    startApi("api2");
    awaitReady("api1");
    awaitReady("api2");

    // a save reaches both replicas
    StandaloneHarness.saveVersion(models, "m", 1, OnnxModelWriter.affine(2f));
    awaitVersion("api1", 1);
    awaitVersion("api2", 1);
    assertEquals(answer("api1"), answer("api2"));

    // api1's download is slowed down so its link can be cut in the middle of it
    net.shape("api1", "16mbit");
    StandaloneHarness.saveVersion(models, "m", 2, OnnxModelWriter.withHiddenLayer(200_000, 42));
    await("api1 downloading version 2", () -> downloading(dir.resolve("cache-api1")));
    net.link("api1", false);
    awaitVersion("api2", 2);
    Thread.sleep(7_000); // longer than the read timeout: the transfer breaks
    net.link("api1", true);
    awaitVersion("api1", 2);
    assertTrue(
        log("api1").matches("(?s).*broke at byte [1-9][0-9]* of.*"),
        "api1's download broke in the middle of model.onnx and resumed:\n" + tail("api1"));
    assertEquals(answer("api2"), answer("api1"), "both serve the same version");

    // a replica started later catches up from the topic and the agent
    startApi("api3");
    awaitReady("api3");
    awaitVersion("api3", 2);
    assertEquals(answer("api2"), answer("api3"));

    // a replica that knows only Kafka and the bucket, started while the agent is unreachable
    net.link("agent", false);
    try {
      start(
          "api4",
          List.of(java(), "-Xmx384m", "-jar", API_JAR.toString()),
          Map.ofEntries(
              Map.entry("KAFKA_BOOTSTRAP_SERVERS", bootstrap),
              Map.entry("MODELSYNC_S3_BUCKET", "models"),
              Map.entry("MODELSYNC_S3_ENDPOINT", s3Url()),
              Map.entry("MODELSYNC_S3_PATH_STYLE", "true"),
              Map.entry("AWS_ACCESS_KEY_ID", S3Proxy.ACCESS_KEY),
              Map.entry("AWS_SECRET_ACCESS_KEY", S3Proxy.SECRET_KEY),
              Map.entry("MODELSYNC_CACHE_DIR", dir.resolve("cache-api4").toString()),
              Map.entry("MODELSYNC_PORT", "8080"),
              Map.entry("MODELSYNC_INSTANCE_ID", "api4"),
              Map.entry("MODELSYNC_HTTP_INSTANCES", "1"),
              Map.entry("MODELSYNC_INFER_THREADS", "1"),
              Map.entry("MODELSYNC_LOAD_THREADS", "1")));
      awaitReady("api4");
      awaitVersion("api4", 2);
      assertEquals(answer("api2"), answer("api4"));
      assertTrue(
          log("api4").contains("from s3://models/"),
          "api4 fetched from the bucket:\n" + tail("api4"));
    } finally {
      net.link("agent", true);
    }
  }

  private static String s3Url() {
    return "http://" + s3Host + ":9000";
  }

  private static void startApi(String name) throws IOException {
    start(
        name,
        List.of(java(), "-Xmx384m", "-jar", API_JAR.toString()),
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS",
            bootstrap,
            "MODELSYNC_ARTIFACT_BASE_URL",
            agentUrl,
            "MODELSYNC_CACHE_DIR",
            dir.resolve("cache-" + name).toString(),
            "MODELSYNC_PORT",
            "8080",
            "MODELSYNC_INSTANCE_ID",
            name,
            "MODELSYNC_HTTP_INSTANCES",
            "1",
            "MODELSYNC_INFER_THREADS",
            "1",
            "MODELSYNC_LOAD_THREADS",
            "1"));
  }

  private static void start(String name, List<String> command, Map<String, String> env)
      throws IOException {
    processes.put(name, net.start(name, command, env, dir.resolve(name + ".log")));
  }

  private void awaitReady(String api) throws Exception {
    await(api + " ready", () -> status(api, "http://127.0.0.1:8080/v2/health/ready") == 200);
  }

  private void awaitVersion(String api, int version) throws Exception {
    await(
        api + " serving m version " + version,
        () ->
            status(api, "http://127.0.0.1:8080/v2/models/m/versions/" + version + "/ready") == 200
                && status(api, "http://127.0.0.1:8080/v2/models/m/versions/" + (version + 1))
                    == 404);
  }

  /** The first output of m for [1, 2, 3, 4], as that replica computes it. */
  private String answer(String api) throws Exception {
    String out =
        net.curl(
            api,
            "-H",
            "Content-Type: application/json",
            "-d",
            INFER,
            "http://127.0.0.1:8080/v2/models/m/infer");
    assertTrue(out.startsWith("200 "), api + " answered " + out);
    return JSON.readTree(out.substring(4)).path("outputs").path(0).path("data").toString();
  }

  private int status(String api, String url) {
    try {
      return Integer.parseInt(net.curl(api, "-o", "/dev/null", url).split(" ")[0]);
    } catch (Exception e) {
      return -1;
    }
  }

  /** A file of the version is partly downloaded (past model.json, into model.onnx). */
  private static boolean downloading(Path cache) {
    try (Stream<Path> walk = Files.walk(cache)) {
      return walk.anyMatch(
          p ->
              p.toString().contains(".partial-")
                  && Files.isRegularFile(p)
                  && p.toFile().length() > 256 * 1024);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      for (var p : processes.entrySet()) {
        if (!p.getValue().isAlive()) {
          throw new AssertionError(p.getKey() + " exited:\n" + tail(p.getKey()));
        }
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        processes.keySet().forEach(n -> logs.append("--- ").append(n).append('\n').append(tail(n)));
        throw new AssertionError("timed out waiting for " + what + "\n" + logs);
      }
      Thread.sleep(20);
    }
  }

  private static String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String tail(String name) {
    List<String> lines = new ArrayList<>(List.of(log(name).split("\n")));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())) + "\n";
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String output(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }
}
