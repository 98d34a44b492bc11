package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettingsTest {
  static final Option PORT = Option.optional("MODELSYNC_PORT", "port", "8080", "HTTP port");
  static final Option DIR = Option.required("MODELSYNC_DIR", "dir", "a directory");
  static final List<Option> ALL = List.of(PORT, DIR, KafkaClientConfig.BOOTSTRAP);

  @Test
  @DisplayName("flags override the environment, which overrides defaults")
  void precedence() {
    var s = Settings.parse(ALL, Map.of("MODELSYNC_PORT", "9000"), "--dir", "/tmp");
    assertEquals(9000, s.port(PORT));
    assertEquals("/tmp", s.string(DIR));
    assertEquals(
        7000, Settings.parse(ALL, Map.of("MODELSYNC_PORT", "9000"), "--port=7000").port(PORT));
    assertEquals(8080, Settings.parse(ALL, Map.of()).port(PORT));
  }

  @Test
  @DisplayName("each bad or missing value is an error naming the variable")
  void errorsNameTheVariable() {
    var e = assertThrows(ConfigException.class, () -> Settings.parse(ALL, Map.of()).string(DIR));
    assertTrue(e.getMessage().startsWith("MODELSYNC_DIR (--dir) is required"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> Settings.parse(ALL, Map.of("MODELSYNC_PORT", "http")).port(PORT));
    assertTrue(e.getMessage().contains("MODELSYNC_PORT"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> Settings.parse(ALL, Map.of("MODELSYNC_PORT", "70000")).port(PORT));
    assertEquals(
        "MODELSYNC_PORT (--port) must be a whole number from 0 to 65535, got '70000'",
        e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> Settings.parse(ALL, Map.of("MODELSYNC_PORT", "-1")).port(PORT));
    assertEquals(
        "MODELSYNC_PORT (--port) must be a whole number from 0 to 65535, got '-1'", e.getMessage());
    assertEquals(0, Settings.parse(ALL, Map.of("MODELSYNC_PORT", "0")).port(PORT));
    assertEquals(65535, Settings.parse(ALL, Map.of("MODELSYNC_PORT", "65535")).port(PORT));
    e =
        assertThrows(
            ConfigException.class,
            () -> Settings.parse(ALL, Map.of("MODELSYNC_PORT", "0")).positiveLong(PORT));
    assertEquals("MODELSYNC_PORT (--port) must be a whole number from 1, got '0'", e.getMessage());
    assertEquals(1, Settings.parse(ALL, Map.of("MODELSYNC_PORT", "1")).positiveLong(PORT));
    e = assertThrows(ConfigException.class, () -> Settings.parse(ALL, Map.of(), "--nope", "1"));
    assertTrue(e.getMessage().contains("unknown flag --nope"), e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () ->
                KafkaClientConfig.from(
                    Settings.parse(ALL, Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost")), Map.of()));
    assertTrue(e.getMessage().contains("KAFKA_BOOTSTRAP_SERVERS"), e.getMessage());
  }

  @Test
  @DisplayName("KAFKA_* variables pass through as client properties")
  void kafkaPassthrough() {
    Map<String, String> env =
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS",
            "k1:9092,k2:9092",
            "KAFKA_SECURITY_PROTOCOL",
            "SASL_SSL",
            "KAFKA_SASL_MECHANISM",
            "PLAIN");
    var kafka = KafkaClientConfig.from(Settings.parse(ALL, env), env);
    var props = kafka.clientProperties();
    assertEquals("k1:9092,k2:9092", props.get("bootstrap.servers"));
    assertEquals("SASL_SSL", props.get("security.protocol"));
    assertEquals("PLAIN", props.get("sasl.mechanism"));
  }
}
