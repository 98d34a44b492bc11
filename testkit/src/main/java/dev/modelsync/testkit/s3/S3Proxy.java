package dev.modelsync.testkit.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * A real S3 server for tests: S3Proxy (org.gaul:s3proxy) with jclouds' filesystem backend, in a
 * child JVM so its Jetty, Jackson and Guava never meet the test's. The jar is the one the build
 * copies to {@code target/s3proxy/s3proxy.jar} (system property {@code modelsync.s3proxy.jar}).
 * Objects live under a directory that outlives {@link #stop()}, so a test can take the server away
 * and bring it back with the same objects (a bucket outage). Signature V4 with {@link #ACCESS_KEY}
 * and {@link #SECRET_KEY}.
 */
public final class S3Proxy implements AutoCloseable {
  public static final String ACCESS_KEY = "modelsync-test-access";
  public static final String SECRET_KEY = "modelsync-test-secret-key-0123456789";
  public static final String JAR_PROPERTY = "modelsync.s3proxy.jar";

  private final Path dir;
  private final String host;
  private final int port;
  private Process process;
  private boolean ownsDir;

  /**
   * @param dir holds the objects ({@code dir/data}), the properties and the server log
   * @param host the address to listen on (127.0.0.1, or a network namespace's address)
   * @param port the port, 0 for a free one on loopback
   */
  public S3Proxy(Path dir, String host, int port) {
    this.dir = dir;
    this.host = host;
    this.port = port == 0 ? freePort() : port;
  }

  /** On a free loopback port, objects in a new temporary directory. */
  public static S3Proxy onFreePort() {
    try {
      S3Proxy server = new S3Proxy(Files.createTempDirectory("modelsync-s3"), "127.0.0.1", 0);
      server.ownsDir = true;
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The jar S3Proxy runs from. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty(JAR_PROPERTY, "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no S3Proxy jar at "
              + jar.toAbsolutePath()
              + ": the module's pom must list maven-dependency-plugin (execution s3proxy)");
    }
    return jar;
  }

  /** Starts the server (again) and waits until it takes connections. */
  public S3Proxy start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    try {
      List<String> command = command(dir, host, port);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()))
              .start();
      awaitListening(Duration.ofSeconds(60));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The command that runs S3Proxy on {@code host:port} with its objects under {@code dir/data},
   * after writing its properties into {@code dir} (for a test that starts it itself, such as in a
   * network namespace).
   */
  public static List<String> command(Path dir, String host, int port) throws IOException {
    Files.createDirectories(dir.resolve("data"));
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=http://" + host + ":" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + dir.resolve("data"),
            ""));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(jar().toAbsolutePath().toString());
    command.add("org.gaul.s3proxy.Main");
    command.add("--properties");
    command.add(properties.toString());
    return command;
  }

  /** Stops the server (a bucket outage); the objects stay for the next {@link #start()}. */
  public void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  public URI endpoint() {
    return URI.create("http://" + host + ":" + port);
  }

  /** A client of this server, for the test's own calls (path style, the test keys). */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  /** Creates a bucket. */
  public S3Proxy createBucket(String bucket) {
    try (S3Client s3 = client()) {
      s3.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
    }
    return this;
  }

  /** The directory a bucket's objects are files under: {@code <bucket>/<key>}. */
  public Path bucketDir(String bucket) {
    return dir.resolve("data").resolve(bucket);
  }

  /**
   * Makes the AWS SDK's default credential chain in this JVM use this server's keys (its system
   * properties come before the environment).
   */
  public static void useCredentials() {
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
  }

  /** Environment variables that point the AWS SDK's default chain at this server (child JVMs). */
  public static Map<String, String> credentialsEnv() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  private void awaitListening(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            "S3Proxy exited with " + process.exitValue() + "; see " + dir.resolve("s3proxy.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 500);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("S3Proxy did not listen on " + endpoint() + " within " + timeout);
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server; removes its directory if {@link #onFreePort()} made it. */
  @Override
  public void close() {
    stop();
    if (ownsDir) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory: the system cleans it up eventually
      }
    }
  }
}
