package dev.modelsync.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example notebook, executed headlessly (nbclient) against the standalone system, as a data
 * scientist would run it. Needs a Python with the notebook's packages: {@code .ci/run} makes one
 * and names it in MODELSYNC_TEST_PYTHON; without it the test is skipped.
 */
class NotebookIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  @DisplayName("the example notebook runs top to bottom and the api then serves its model")
  void notebookRuns(@TempDir Path dir) throws Exception {
    String python = System.getenv("MODELSYNC_TEST_PYTHON");
    assumeTrue(
        python != null && !python.isBlank(), "MODELSYNC_TEST_PYTHON is not set (.ci/run sets it)");
    StandaloneProcess.requireJar();
    try (var app =
        new StandaloneProcess(dir, "--demo", "false").awaitReady(Duration.ofSeconds(90))) {
      ProcessBuilder builder =
          new ProcessBuilder(
                  "bash",
                  ROOT.resolve("notebook-image/run-notebook.sh").toString(),
                  ROOT.resolve("notebooks/save-and-serve.ipynb").toString(),
                  dir.resolve("executed.ipynb").toString())
              .redirectErrorStream(true);
      builder.environment().put("PYTHON", python);
      builder.environment().put("MODELSYNC_MODELS_DIR", app.models.toString());
      builder.environment().put("MODELSYNC_API_URL", app.baseUrl());
      Process notebook = builder.start();
      boolean finished = notebook.waitFor(10, TimeUnit.MINUTES);
      String out = new String(notebook.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(finished, "notebook still running after 10 minutes:\n" + out);
      assertEquals(0, notebook.exitValue(), out);

      HttpResponse<String> metadata =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(app.baseUrl() + "/v2/models/house-price"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metadata.statusCode(), metadata.body());
      assertTrue(metadata.body().contains("\"versions\":[\"1\",\"2\"]"), metadata.body());
      app.stop(Duration.ofSeconds(60));
    }
  }
}
