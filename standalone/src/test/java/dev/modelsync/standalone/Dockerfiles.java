package dev.modelsync.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code <service>/Dockerfile} runs, for starting the same command as a plain process (no
 * Docker engine runs here): its exec-form ENTRYPOINT and the variables its ENV instructions set.
 */
public final class Dockerfiles {
  /**
   * The repository: the parent of the module's directory (tests) or the current one (exec:java).
   */
  static final Path ROOT =
      Files.isRegularFile(Path.of("api", "Dockerfile"))
          ? Path.of("").toAbsolutePath()
          : Path.of("..").toAbsolutePath().normalize();

  private Dockerfiles() {}

  /** The ENTRYPOINT, with this JVM's java and the built jar in place of the image's paths. */
  public static List<String> command(String service) throws IOException {
    Matcher m = Pattern.compile("(?m)^ENTRYPOINT\\s+\\[(.*)]\\s*$").matcher(read(service));
    if (!m.find()) {
      throw new IllegalStateException(service + "/Dockerfile has no exec-form ENTRYPOINT");
    }
    List<String> command = new ArrayList<>();
    for (String part : m.group(1).split(",")) {
      String arg = part.trim().replaceAll("^\"|\"$", "");
      if (arg.equals("java")) {
        arg = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      } else if (arg.startsWith("/app/")) {
        Path jar = ROOT.resolve(service).resolve("target").resolve(arg.substring(5));
        if (!Files.isRegularFile(jar)) {
          throw new IllegalStateException(jar + " is not built: run `mvn package`");
        }
        arg = jar.toString();
      }
      command.add(arg);
    }
    return command;
  }

  /** Every {@code NAME=value} the ENV instructions set (continuation lines joined). */
  public static Map<String, String> env(String service) throws IOException {
    String joined = read(service).replaceAll("\\\\\\r?\\n", " ");
    Map<String, String> env = new LinkedHashMap<>();
    Matcher instruction = Pattern.compile("(?m)^ENV\\s+(.*)$").matcher(joined);
    while (instruction.find()) {
      Matcher pair =
          Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S*)").matcher(instruction.group(1));
      while (pair.find()) {
        env.put(pair.group(1), pair.group(2));
      }
    }
    return env;
  }

  private static String read(String service) throws IOException {
    return Files.readString(ROOT.resolve(service).resolve("Dockerfile"));
  }

  /**
   * Starts {@code command} as a plain process with {@code env} as the image's environment: the
   * modelsync, Kafka and malloc variables of this process are not passed on, so only what the image
   * sets counts. Output goes to {@code log}.
   */
  public static Process start(List<String> command, Map<String, String> env, Path log)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(
            k -> k.startsWith("MODELSYNC_") || k.startsWith("KAFKA_") || k.startsWith("MALLOC_"));
    builder.environment().putAll(env);
    return builder.start();
  }
}
