package dev.modelsync.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The client settings every Kafka client of a process shares: the bootstrap address, plus any
 * {@code KAFKA_*} environment variable passed through as a client property ({@code
 * KAFKA_SECURITY_PROTOCOL=SSL} becomes {@code security.protocol=SSL}), so TLS and SASL need no
 * code.
 *
 * <p>Pass-through values may hold secrets ({@code KAFKA_SASL_JAAS_CONFIG}, {@code
 * KAFKA_SSL_KEYSTORE_PASSWORD}): {@link #toString()} shows only their names. The Kafka clients' own
 * "config values" log line prints password-type settings as {@code [hidden]}.
 *
 * @param warmUpRounds round trips {@link KafkaWarmUp} makes at start (0 = none)
 */
public record KafkaClientConfig(
    String bootstrapServers, Map<String, String> passthrough, int warmUpRounds) {
  public static final Option BOOTSTRAP =
      Option.required(
              "KAFKA_BOOTSTRAP_SERVERS", "kafka", "Kafka bootstrap servers, host:port[,host:port]")
          .checked(Check.HOST_PORTS);

  /** Variables with the KAFKA_ prefix that are not client properties. */
  private static final Set<String> NOT_PASSED =
      Set.of("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HEAP_OPTS", "KAFKA_OPTS");

  public KafkaClientConfig {
    passthrough = Map.copyOf(passthrough);
  }

  public static KafkaClientConfig from(Settings settings, Map<String, String> env) {
    Map<String, String> passthrough = new HashMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith("KAFKA_") && !NOT_PASSED.contains(name) && !value.isBlank()) {
            passthrough.put(name.substring(6).toLowerCase().replace('_', '.'), value);
          }
        });
    return new KafkaClientConfig(
        settings.hostPorts(BOOTSTRAP),
        passthrough,
        (int) KafkaWarmUp.ROUNDS.require(settings.longValue(KafkaWarmUp.ROUNDS)));
  }

  @Override
  public String toString() {
    return "KafkaClientConfig[bootstrapServers="
        + bootstrapServers
        + ", passthrough="
        + new TreeSet<>(passthrough.keySet())
        + " (values not shown), warmUpRounds="
        + warmUpRounds
        + "]";
  }

  /** A new mutable map with the common client properties, to add producer or consumer keys to. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>(passthrough);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }
}
