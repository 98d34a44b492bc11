package dev.modelsync.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.agent.AgentConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerConfigTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required"
          + " username=\"modelsync-agent\" password=\"jaas-secret\";";

  @TempDir Path root;

  private AgentConfig config() {
    Map<String, String> env = new HashMap<>();
    env.put("MODELSYNC_MODELS_DIR", root.toString());
    env.put("MODELSYNC_STORE_DIR", root.resolveSibling(root.getFileName() + "-store").toString());
    env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9094,kafka-2:9094");
    env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    env.put("KAFKA_SASL_JAAS_CONFIG", JAAS);
    env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/modelsync/kafka-truststore.p12");
    env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "truststore-secret");
    env.put("KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "https");
    return AgentConfig.from(env);
  }

  @Test
  @DisplayName("KAFKA_* TLS and SASL variables reach the producer as the matching client settings")
  void tlsAndSasl() {
    Map<String, Object> props = Publisher.producerConfig(config().kafka(), "agent-1");
    assertEquals(
        "kafka-1:9094,kafka-2:9094", props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    assertEquals("SASL_SSL", props.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
    assertEquals("SCRAM-SHA-512", props.get(SaslConfigs.SASL_MECHANISM));
    assertEquals(JAAS, props.get(SaslConfigs.SASL_JAAS_CONFIG));
    assertEquals(
        "/etc/modelsync/kafka-truststore.p12",
        props.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG));
    assertEquals("PKCS12", props.get(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG));
    assertEquals("truststore-secret", props.get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG));
    assertEquals("https", props.get(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG));
    // the agent's own producer settings still apply on top
    assertEquals(true, props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    assertEquals("agent-1", props.get(ProducerConfig.CLIENT_ID_CONFIG));
  }

  @Test
  @DisplayName("Kafka parses them as known producer settings and hides the secret ones in its log")
  void kafkaAcceptsAndHides() {
    Map<String, Object> props = Publisher.producerConfig(config().kafka(), "agent-1");
    for (String key : props.keySet()) {
      assertTrue(ProducerConfig.configNames().contains(key), key + " is not a producer setting");
    }
    ProducerConfig parsed = new ProducerConfig(props);
    // what the client's "ProducerConfig values:" log line prints for them
    assertEquals("[hidden]", String.valueOf(parsed.values().get(SaslConfigs.SASL_JAAS_CONFIG)));
    assertEquals(
        "[hidden]", String.valueOf(parsed.values().get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG)));
    assertEquals("SASL_SSL", parsed.getString(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
  }
}
