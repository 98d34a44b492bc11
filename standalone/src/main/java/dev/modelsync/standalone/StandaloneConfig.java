package dev.modelsync.standalone;

import dev.modelsync.config.Check;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.Option;
import dev.modelsync.config.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Settings of the one-process launcher. Everything the agent and the api read from the environment
 * still applies; these decide where the launcher puts things and whether it runs its own Kafka.
 *
 * @param modelsDir the watched models directory (created if missing)
 * @param dataDir where the store and the embedded broker's data live
 * @param port the api's HTTP port
 * @param agentPort the agent's HTTP port (health, models, metrics)
 * @param grpcPort the api's gRPC port
 * @param kafka an existing Kafka to use, or null to start the embedded broker
 * @param kafkaPort the embedded broker's port
 * @param demo write the demo model into an empty models directory
 */
record StandaloneConfig(
    Path modelsDir,
    Path dataDir,
    int port,
    int agentPort,
    int grpcPort,
    String kafka,
    int kafkaPort,
    boolean demo) {

  static final Option MODELS =
      Option.optional(
              "MODELSYNC_MODELS_DIR",
              "models",
              "models",
              "Directory the notebook saves models into")
          .checked(Check.PATH);
  static final Option DATA =
      Option.optional(
              "MODELSYNC_DATA_DIR",
              "data",
              ".modelsync",
              "Store and embedded Kafka data (store/ and kafka/ inside)")
          .checked(Check.PATH);
  static final Option PORT =
      Option.optional("MODELSYNC_PORT", "port", "8080", "Inference API port").checked(Check.PORT);
  static final Option AGENT_PORT =
      Option.optional(
              "MODELSYNC_AGENT_PORT",
              "agent-port",
              "8081",
              "Agent port (/health, /models, /metrics)")
          .checked(Check.PORT);
  static final Option GRPC_PORT =
      Option.optional(
              "MODELSYNC_GRPC_PORT",
              "grpc-port",
              "8001",
              "Inference API gRPC port (0 = any free port)")
          .checked(Check.PORT);
  static final Option KAFKA =
      Option.optional(
          "KAFKA_BOOTSTRAP_SERVERS",
          "kafka",
          "",
          "Use this Kafka instead of starting the embedded broker");
  static final Option KAFKA_PORT =
      Option.optional(
              "MODELSYNC_KAFKA_PORT",
              "kafka-port",
              "9092",
              "Embedded broker port (0 = any free port)")
          .checked(Check.PORT);
  static final Option DEMO =
      Option.optional(
              "MODELSYNC_DEMO", "demo", "true", "Write a demo model into an empty models directory")
          .checked(Check.BOOLEAN);

  static final List<Option> OPTIONS =
      List.of(MODELS, DATA, PORT, AGENT_PORT, GRPC_PORT, KAFKA, KAFKA_PORT, DEMO);

  static StandaloneConfig from(Map<String, String> env, String... args) {
    Settings s = Settings.parse(OPTIONS, env, args);
    String kafka = s.string(KAFKA);
    if (!kafka.isEmpty()) {
      kafka = s.hostPorts(KAFKA);
    }
    String demo = s.string(DEMO);
    if (!demo.equals("true") && !demo.equals("false")) {
      throw new ConfigException(DEMO.label() + " must be true or false, got '" + demo + "'");
    }
    return new StandaloneConfig(
        s.writableDirectory(MODELS),
        s.writableDirectory(DATA),
        s.port(PORT),
        s.port(AGENT_PORT),
        s.port(GRPC_PORT),
        kafka.isEmpty() ? null : kafka,
        s.port(KAFKA_PORT),
        Boolean.parseBoolean(demo));
  }

  Path storeDir() {
    return dataDir.resolve("store");
  }

  Path kafkaDir() {
    return dataDir.resolve("kafka");
  }
}
