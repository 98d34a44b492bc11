package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelsync.agent.AgentConfig;
import dev.modelsync.api.ApiOptions;
import dev.modelsync.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's commands, run as written against the standalone jar (ports swapped for free ones).
 */
class ReadmeIT {
  static final Path README = Path.of("..", "README.md");
  static StandaloneProcess app;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    StandaloneProcess.requireJar();
    dir = Files.createTempDirectory("modelsync-readme");
    app = new StandaloneProcess(dir).awaitReady(Duration.ofSeconds(90));
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.stop(Duration.ofSeconds(60));
      app.close();
    }
  }

  @Test
  @DisplayName("the configuration tables are exactly what the programs read")
  void configTables() throws IOException {
    String readme = Files.readString(README);
    for (var options : List.of(StandaloneConfig.OPTIONS, AgentConfig.OPTIONS, ApiOptions.OPTIONS)) {
      String table = Settings.describe(options);
      assertTrue(readme.contains(table), "README lacks this table:\n" + table);
    }
  }

  @Test
  @DisplayName("every curl in the README answers without an error")
  void curls() throws Exception {
    List<String> curls = commands("curl ");
    assertTrue(curls.size() >= 6, "found " + curls);
    for (String curl : curls) {
      String out = run(curl + " -w ' HTTP%{http_code}'");
      assertTrue(out.endsWith("HTTP200"), curl + "\n→ " + out);
      assertFalse(out.contains("\"error\""), curl + "\n→ " + out);
    }
  }

  @Test
  @DisplayName("kcat and the events tail show the saved and activated demo model")
  void events() throws Exception {
    for (String command : commands("java -jar standalone/target/modelsync-standalone.jar events")) {
      String out = run(command);
      assertTrue(out.contains("saved      demo v1"), command + "\n→ " + out);
      assertTrue(out.contains("activated  demo v1"), command + "\n→ " + out);
    }
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/kcat")), "kcat is not installed (CI installs it)");
    List<String> kcats = commands("kcat ");
    assertEquals(2, kcats.size());
    for (String kcat : kcats) {
      String out = run(kcat);
      assertTrue(out.contains("\"specversion\":\"1.0\""), kcat + "\n→ " + out);
    }
  }

  /**
   * Lines of the README's bash blocks starting with {@code prefix}, ports swapped for the test's.
   */
  private static List<String> commands(String prefix) throws IOException {
    List<String> found = new ArrayList<>();
    boolean inBash = false;
    for (String line : Files.readAllLines(README)) {
      if (line.startsWith("```")) {
        inBash = line.equals("```bash");
      } else if (inBash && line.startsWith(prefix)) {
        found.add(
            line.replace("localhost:8080", "127.0.0.1:" + app.port)
                .replace("127.0.0.1:9092", app.bootstrap())
                .replace(
                    "java -jar standalone/",
                    "java -jar " + StandaloneProcess.JAR.getParent().getParent() + "/"));
      }
    }
    return found;
  }

  private static String run(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command + "\n→ " + out);
    return out;
  }
}
