package dev.modelsync.standalone;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The standalone jar run as a user runs it: a child JVM, its output captured, stopped with SIGTERM.
 */
final class StandaloneProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "modelsync-standalone.jar").toAbsolutePath();

  final Path dir;
  final Path models;
  final Path data;
  final int port = freePort();
  final int agentPort = freePort();
  final int kafkaPort = freePort();
  private final Path log;
  private final Process process;

  StandaloneProcess(Path dir, String... extraArgs) throws IOException {
    this(dir, Map.of(), extraArgs);
  }

  /** With {@code env} added to the environment, which otherwise holds no MODELSYNC_ variable. */
  StandaloneProcess(Path dir, Map<String, String> env, String... extraArgs) throws IOException {
    this.dir = dir;
    this.models = dir.resolve("models");
    this.data = dir.resolve("data");
    this.log = dir.resolve("standalone.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    // a crash report lands here, for crashReports(), not in the module's directory
    command.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(
        List.of(
            "--models", models.toString(),
            "--data", data.toString(),
            "--port", Integer.toString(port),
            "--agent-port", Integer.toString(agentPort),
            "--grpc-port", "0",
            "--kafka-port", Integer.toString(kafkaPort)));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("MODELSYNC_") || k.startsWith("KAFKA_"));
    builder.environment().putAll(env);
    process = builder.start();
  }

  /** Everything the process printed so far. */
  List<String> output() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of("(cannot read " + log + ": " + e + ")");
    }
  }

  /** Waits for the ready banner; fails with the captured output if it does not come. */
  StandaloneProcess awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (output().stream().noneMatch(l -> l.contains("modelsync ready in"))) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new AssertionError(
            "not ready within " + timeout + ":\n" + String.join("\n", output()));
      }
      Thread.sleep(50);
    }
    return this;
  }

  String bootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The JVM's fatal error reports (hs_err files) this process left. */
  List<Path> crashReports() throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).toList();
    }
  }

  Process process() {
    return process;
  }

  /** SIGTERM, as Ctrl-C or `docker stop` would; returns the exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "did not stop within " + timeout + ":\n" + String.join("\n", output()));
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  static boolean portIsFree(int port) {
    try (var socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void requireJar() {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(
          JAR + " is missing: run `mvn verify` (the jar is built in package)");
    }
  }
}
