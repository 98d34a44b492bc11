package dev.modelsync.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this JVM.
 *
 * <p>It binds loopback ports (or a given address) chosen once at construction and keeps its log
 * directory across {@link #stop()} and {@link #start()}, so a test can take Kafka away and bring
 * the same cluster back on the same address with its topics intact.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private static final String LOOPBACK = "127.0.0.1";
  private final Path logDir;
  private final boolean ownsLogDir;
  private final String host;
  private final int brokerPort;
  private final int controllerPort;
  private final String clusterId = Uuid.randomUuid().toString();
  private KafkaRaftServer server;
  private boolean formatted;

  private EmbeddedKafka(Path logDir, boolean ownsLogDir, String host, int brokerPort) {
    this.logDir = logDir;
    this.ownsLogDir = ownsLogDir;
    this.host = host;
    this.brokerPort = brokerPort;
    this.controllerPort = host.equals(LOOPBACK) ? freePort() : brokerPort + 1;
  }

  /** A broker on a free loopback port with its data in a new temporary directory. */
  public static EmbeddedKafka onFreePort() {
    try {
      return new EmbeddedKafka(
          Files.createTempDirectory("modelsync-kafka"), true, LOOPBACK, freePort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A broker on the given port (0 picks a free one) keeping its data in {@code logDir}. */
  public static EmbeddedKafka at(Path logDir, int port) {
    return new EmbeddedKafka(logDir, false, LOOPBACK, port == 0 ? freePort() : port);
  }

  /**
   * A broker bound to and advertising {@code host} (an address of this machine or of the network
   * namespace it runs in), on {@code port} with the controller on {@code port + 1}.
   */
  public static EmbeddedKafka at(Path logDir, String host, int port) {
    if (port <= 0 || port >= 65535) {
      throw new IllegalArgumentException("port must be from 1 to 65534, got " + port);
    }
    return new EmbeddedKafka(logDir, false, host, port);
  }

  /** Starts (or restarts) the broker and returns once it accepts connections. */
  public synchronized EmbeddedKafka start() {
    if (server != null) {
      return this;
    }
    long started = System.nanoTime();
    Properties props = brokerProperties();
    if (!formatted && !Files.exists(logDir.resolve("meta.properties"))) {
      format(props);
    }
    formatted = true;
    server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    LOG.info(
        "Embedded Kafka ready on {} in {} ms (data in {})",
        bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000,
        logDir);
    return this;
  }

  /** Stops the broker, keeping its data so that {@link #start()} brings the same cluster back. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    server = null;
    LOG.info("Embedded Kafka on {} stopped", bootstrapServers());
  }

  /** The address clients use, such as {@code 127.0.0.1:41234}. */
  public String bootstrapServers() {
    return host + ":" + brokerPort;
  }

  @Override
  public void close() {
    stop();
    if (ownsLogDir) {
      deleteRecursively(logDir);
    }
  }

  private Properties brokerProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "true");
    return p;
  }

  private void format(Properties props) {
    try {
      Files.createDirectories(logDir);
      Path config = Files.createTempFile("modelsync-kafka", ".properties");
      try (var out = Files.newOutputStream(config)) {
        props.store(out, "modelsync embedded broker");
      }
      var output = new ByteArrayOutputStream();
      int rc =
          StorageTool.execute(
              new String[] {
                "format", "-t", clusterId, "-c", config.toString(), "--ignore-formatted"
              },
              new PrintStream(output, true, StandardCharsets.UTF_8));
      Files.deleteIfExists(config);
      if (rc != 0) {
        throw new IllegalStateException(
            "formatting Kafka storage in "
                + logDir
                + " failed: "
                + output.toString(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", dir, e.toString());
    }
  }
}
