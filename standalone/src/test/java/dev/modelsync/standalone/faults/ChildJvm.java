package dev.modelsync.standalone.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The agent's or the api's shaded jar run as a child JVM, to be killed with SIGKILL. */
final class ChildJvm implements AutoCloseable {
  static final Path AGENT_JAR = Path.of("..", "agent", "target", "modelsync-agent.jar");
  static final Path API_JAR = Path.of("..", "api", "target", "modelsync-api.jar");

  private final Process process;
  private final Path log;

  ChildJvm(Path jar, Map<String, String> env, Path log) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run `mvn package`");
    }
    this.log = log;
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m",
                    "-jar",
                    jar.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("MODELSYNC_") || k.startsWith("KAFKA_"));
    // a crash test's timing is its own: no warm-up competing for the CPU
    builder.environment().put("MODELSYNC_KAFKA_WARMUP_ROUNDS", "0");
    builder.environment().put("MODELSYNC_SAVE_WARMUP_ROUNDS", "0");
    builder.environment().put("MODELSYNC_LOAD_WARMUP_ROUNDS", "0");
    builder.environment().putAll(env);
    process = builder.start();
  }

  /** kill -9: no shutdown hook, no flush, no goodbye. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  static int freePort() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
