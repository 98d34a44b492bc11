package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.prom.Promtool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: both /metrics endpoints pass promtool, and the dashboard queries only what they show.
 * Issue 20: the rollout meters exist only while a rollout runs (no rollout, no series, as usual in
 * Prometheus), so the api runs a real shadow rollout before it is scraped; and every dashboard
 * expression parses ({@code promtool check rules}).
 */
class MetricsIT {
  static final Path DASHBOARD = Path.of("../deploy/grafana/dashboards/modelsync.json");
  static final String BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  @DisplayName("agent and api /metrics pass promtool check metrics; every dashboard metric exists")
  void promtoolAndDashboard(@TempDir Path dir) throws Exception {
    try (var system = StandaloneHarness.start(dir, Map.of("MODELSYNC_ROLLOUT", "shadow"))) {
      StandaloneHarness.saveVersion(system.modelsDir(), "m", 1, OnnxModelWriter.affine(1f));
      awaitAnswer(system.apiPort());
      send(system.apiPort(), "/v2/models/m/infer", "{}"); // a client error, for its series
      // v2 is a shadow candidate (MODELSYNC_ROLLOUT): v1 answers, a copy runs on v2
      StandaloneHarness.saveVersion(system.modelsDir(), "m", 2, OnnxModelWriter.affine(2f));
      String api = awaitShadowed(system.apiPort());
      String agent = send(system.agentPort(), "/metrics", null).body();

      Set<String> missing = new TreeSet<>();
      Matcher names = Pattern.compile("\\bmodelsync_[a-z_]+").matcher(Files.readString(DASHBOARD));
      while (names.find()) {
        String name = names.group();
        if (!hasSample(api, name) && !hasSample(agent, name)) {
          missing.add(name);
        }
      }
      assertEquals(Set.of(), missing, "dashboard metrics that no endpoint shows");

      Path promtool = Promtool.find();
      Assumptions.assumeTrue(
          promtool != null, "promtool is not installed (Debian package 'prometheus')");
      for (String scrape : new String[] {api, agent}) {
        Promtool.Result lint = Promtool.checkMetrics(promtool, scrape);
        assertEquals("", lint.output(), "promtool check metrics");
        assertEquals(0, lint.exitCode(), lint.output());
      }
      Promtool.Result rules = Promtool.checkRules(promtool, dashboardAsRules(dir));
      assertEquals(0, rules.exitCode(), "dashboard PromQL: " + rules.output());
    }
  }

  /**
   * Every dashboard query as a recording rule ({@code promtool check rules} parses each), with
   * Grafana's variables given values: {@code $__rate_interval} a range, {@code $model} a regex.
   */
  static Path dashboardAsRules(Path dir) throws Exception {
    JsonArray rules = new JsonArray();
    for (Object panel : new JsonObject(Files.readString(DASHBOARD)).getJsonArray("panels")) {
      JsonObject p = (JsonObject) panel;
      for (Object target : p.getJsonArray("targets", new JsonArray())) {
        JsonObject t = (JsonObject) target;
        String expr = t.getString("expr").replace("$__rate_interval", "1m").replace("$model", ".*");
        rules.add(
            new JsonObject()
                .put("record", "dashboard:panel" + p.getInteger("id") + t.getString("refId"))
                .put("expr", expr));
      }
    }
    assertTrue(rules.size() > 30, "dashboard queries found: " + rules.size());
    JsonObject file =
        new JsonObject()
            .put(
                "groups",
                new JsonArray().add(new JsonObject().put("name", "dashboard").put("rules", rules)));
    Path path = dir.resolve("dashboard-rules.json"); // JSON is YAML
    Files.writeString(path, file.encode());
    return path;
  }

  /** Sends requests until the shadow candidate compared one; returns that scrape. */
  private String awaitShadowed(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      assertEquals(200, send(port, "/v2/models/m/infer", BODY).statusCode());
      String scrape = send(port, "/metrics", null).body();
      if (scrape
          .lines()
          .anyMatch(
              l ->
                  l.startsWith("modelsync_rollout_shadow_requests_total{")
                      && l.contains("version=\"2\"")
                      && !l.endsWith(" 0.0"))) {
        return scrape;
      }
      assertTrue(System.nanoTime() < deadline, "no shadow copy compared:\n" + scrape);
      Thread.sleep(100);
    }
  }

  /** A sample of {@code name}, or of the histogram {@code name} names. */
  private static boolean hasSample(String scrape, String name) {
    return scrape
        .lines()
        .anyMatch(
            l ->
                l.startsWith(name + "{")
                    || l.startsWith(name + " ")
                    || l.startsWith(name + "_bucket{"));
  }

  private void awaitAnswer(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (send(port, "/v2/models/m/infer", BODY).statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "model m never answered");
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> send(int port, String path, String body) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (body != null) {
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
