package dev.modelsync.testkit.prom;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code promtool check metrics} (Debian package {@code prometheus}) on a scrape, the check CI
 * applies to both /metrics endpoints, and {@code promtool check rules} on a rules file (which
 * parses every expression: the way to check PromQL, such as a dashboard's, without a server).
 */
public final class Promtool {
  /** What promtool said: its exit code and everything it printed. */
  public record Result(int exitCode, String output) {}

  private Promtool() {}

  /** The promtool binary on the PATH, or null when it is not installed. */
  public static Path find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Pipes {@code exposition} into {@code promtool check metrics}. */
  public static Result checkMetrics(Path promtool, String exposition)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    return finish(p);
  }

  /** {@code promtool check rules file}: exit code 0 only when every rule's expression parses. */
  public static Result checkRules(Path promtool, Path rules)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return finish(p);
  }

  private static Result finish(Process p) throws IOException, InterruptedException {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("promtool did not finish within 60 s");
    }
    return new Result(p.exitValue(), out.strip());
  }
}
