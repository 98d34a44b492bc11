package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.EventKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KafkaClientConfigTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required"
          + " username=\"agent\" password=\"s3cret-pw\";";

  private static final Map<String, String> ENV =
      Map.of(
          "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093",
          "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
          "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
          "KAFKA_SASL_JAAS_CONFIG", JAAS,
          "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
          "KAFKA_SSL_TRUSTSTORE_PASSWORD", "trust-pw",
          "KAFKA_HEAP_OPTS", "-Xmx1g",
          "KAFKA_SSL_KEYSTORE_TYPE", " ");

  @Test
  @DisplayName("KAFKA_* variables become client properties; blanks and JVM options do not")
  void passthrough() {
    var settings = Settings.parse(List.of(KafkaClientConfig.BOOTSTRAP), ENV);
    Map<String, Object> props = KafkaClientConfig.from(settings, ENV).clientProperties();
    assertEquals("broker-1:9093", props.get("bootstrap.servers"));
    assertEquals("SASL_SSL", props.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", props.get("sasl.mechanism"));
    assertEquals(JAAS, props.get("sasl.jaas.config"));
    assertEquals("/etc/kafka/truststore.p12", props.get("ssl.truststore.location"));
    assertEquals("trust-pw", props.get("ssl.truststore.password"));
    assertFalse(props.containsKey("heap.opts"));
    assertFalse(props.containsKey("ssl.keystore.type"));
  }

  @Test
  @DisplayName(
      "MODELSYNC_KAFKA_WARMUP_ROUNDS: 10000 unless set, 0 turns it off, a negative is refused")
  void warmUpRounds() {
    List<Option> options = List.of(KafkaClientConfig.BOOTSTRAP, KafkaWarmUp.ROUNDS);
    assertEquals(10_000, KafkaClientConfig.from(Settings.parse(options, ENV), ENV).warmUpRounds());
    Map<String, String> off = new java.util.HashMap<>(ENV);
    off.put("MODELSYNC_KAFKA_WARMUP_ROUNDS", "0");
    assertEquals(0, KafkaClientConfig.from(Settings.parse(options, off), off).warmUpRounds());
    off.put("MODELSYNC_KAFKA_WARMUP_ROUNDS", "-1");
    ConfigException e = assertThrows(ConfigException.class, () -> Settings.parse(options, off));
    assertTrue(e.getMessage().contains("MODELSYNC_KAFKA_WARMUP_ROUNDS"), e.getMessage());
    assertFalse(
        KafkaClientConfig.from(Settings.parse(options, ENV), ENV)
            .clientProperties()
            .containsKey("warmup.rounds"));
  }

  @Test
  @DisplayName("toString names pass-through settings but never shows their values")
  void toStringHidesValues() {
    var settings = Settings.parse(List.of(KafkaClientConfig.BOOTSTRAP), ENV);
    String text = KafkaClientConfig.from(settings, ENV).toString();
    assertTrue(text.contains("sasl.jaas.config"), text);
    assertFalse(text.contains("s3cret-pw"), text);
    assertFalse(text.contains("trust-pw"), text);
  }

  @Test
  @DisplayName("MODELSYNC_EVENT_KEY is optional, read from the environment only, never from a flag")
  void eventKeyOption() {
    List<Option> options = List.of(EventKeySetting.OPTION);
    assertEquals(Optional.empty(), EventKeySetting.from(Settings.parse(options, Map.of())));
    String secret = "x".repeat(40);
    var key = EventKeySetting.from(Settings.parse(options, Map.of("MODELSYNC_EVENT_KEY", secret)));
    assertEquals(Optional.of(EventKey.of(secret)), key);
    assertEquals(null, EventKeySetting.OPTION.flag());
    assertEquals(EventKey.ENV, EventKeySetting.OPTION.env());
  }

  @Test
  @DisplayName("a short MODELSYNC_EVENT_KEY is a start-up error naming the variable, not the value")
  void shortEventKey() {
    String secret = "short-secret-value";
    var e =
        assertThrows(
            ConfigException.class,
            () ->
                EventKeySetting.from(
                    Settings.parse(
                        List.of(EventKeySetting.OPTION), Map.of("MODELSYNC_EVENT_KEY", secret))));
    assertEquals("MODELSYNC_EVENT_KEY must be at least 32 characters, got 18", e.getMessage());
  }
}
