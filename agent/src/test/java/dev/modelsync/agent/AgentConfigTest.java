package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.agent.watch.WatchMode;
import dev.modelsync.config.ConfigException;
import dev.modelsync.events.EventKey;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @TempDir Path root;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("MODELSYNC_MODELS_DIR", root.toString());
    env.put("MODELSYNC_STORE_DIR", root.resolveSibling(root.getFileName() + "-store").toString());
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    return env;
  }

  @Test
  @DisplayName("defaults apply and flags override the environment")
  void defaultsAndFlags() {
    AgentConfig config = AgentConfig.from(env(), "--port", "0", "--kafka=k1:9093,k2:9093");
    assertEquals("modelsync.model-events", config.eventsTopic());
    assertEquals(0, config.port());
    assertEquals(500, config.quietMs());
    assertEquals(2000, config.rescanMs());
    assertEquals("k1:9093,k2:9093", config.kafka().bootstrapServers());
    assertTrue(!config.instanceId().isBlank());
    assertEquals(8081, AgentConfig.from(env()).port());
    assertEquals(WatchMode.AUTO, config.watch());
    assertEquals(WatchMode.POLL, AgentConfig.from(env(), "--watch", "poll").watch());
    assertEquals(WatchMode.INOTIFY, AgentConfig.from(with("MODELSYNC_WATCH", "INOTIFY")).watch());
  }

  @Test
  @DisplayName("a missing or bad value fails with a message naming the variable")
  void errorsNameTheVariable() {
    assertMessage("MODELSYNC_MODELS_DIR", without("MODELSYNC_MODELS_DIR"));
    assertMessage("KAFKA_BOOTSTRAP_SERVERS", with("KAFKA_BOOTSTRAP_SERVERS", "nohostport"));
    assertMessage("MODELSYNC_AGENT_PORT", with("MODELSYNC_AGENT_PORT", "70000"));
    assertMessage("MODELSYNC_QUIET_MS", with("MODELSYNC_QUIET_MS", "soon"));
    assertMessage("MODELSYNC_RESCAN_MS", with("MODELSYNC_RESCAN_MS", "0"));
    assertMessage(
        "MODELSYNC_MODELS_DIR", with("MODELSYNC_MODELS_DIR", root.resolve("nope").toString()));
    assertMessage("MODELSYNC_EVENTS_TOPIC", with("MODELSYNC_EVENTS_TOPIC", "bad topic"));
    assertMessage("MODELSYNC_WATCH", with("MODELSYNC_WATCH", "fanotify"));
    assertMessage(
        "MODELSYNC_STORE_DIR", with("MODELSYNC_STORE_DIR", root.resolve("store").toString()));
  }

  @Test
  @DisplayName("MODELSYNC_S3_BUCKET turns the upload on; unset, there is no bucket")
  void bucket() {
    assertTrue(AgentConfig.from(env()).bucket().isEmpty());
    AgentConfig config = AgentConfig.from(with("MODELSYNC_S3_BUCKET", "models"));
    assertEquals("models", config.bucket().orElseThrow().bucket());
    assertEquals("us-east-1", config.bucket().orElseThrow().region());
    assertMessage("MODELSYNC_S3_BUCKET", with("MODELSYNC_S3_BUCKET", "UPPER"));
  }

  @Test
  @DisplayName("MODELSYNC_AGENT_HOST sets the listen address: 0.0.0.0 by default, checked")
  void listenAddress() {
    assertEquals("0.0.0.0", AgentConfig.from(env()).host());
    for (String ok : new String[] {"127.0.0.1", "::", "::1", "fe80::1", "agent", "my-host.local"}) {
      assertEquals(ok, AgentConfig.from(with("MODELSYNC_AGENT_HOST", ok)).host());
    }
    assertEquals("10.0.0.7", AgentConfig.from(env(), "--host", "10.0.0.7").host());
    for (String bad :
        new String[] {"256.1.1.1", "1.2.3", "bad host", "-x", "a..b", "1::2::3", "http://x"}) {
      assertMessage("MODELSYNC_AGENT_HOST", with("MODELSYNC_AGENT_HOST", bad));
    }
  }

  @Test
  @DisplayName("MODELSYNC_EVENT_KEY turns signing on; a short key is refused without echoing it")
  void eventKey() {
    assertTrue(AgentConfig.from(env()).eventKey().isEmpty());
    String secret = "0123456789abcdef0123456789abcdef-agent";
    AgentConfig config = AgentConfig.from(with("MODELSYNC_EVENT_KEY", secret));
    assertEquals(EventKey.of(secret), config.eventKey().orElseThrow());
    assertMessage("MODELSYNC_EVENT_KEY", with("MODELSYNC_EVENT_KEY", "too-short-key"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> AgentConfig.from(with("MODELSYNC_EVENT_KEY", "too-short-key")));
    assertFalse(e.getMessage().contains("too-short-key"), e.getMessage());
  }

  @Test
  @DisplayName("the config's string form shows neither the event key nor Kafka secrets")
  void secretsNotShown() {
    Map<String, String> env = with("MODELSYNC_EVENT_KEY", "k".repeat(40));
    env.put(
        "KAFKA_SASL_JAAS_CONFIG", "ScramLoginModule required username=\"a\" password=\"pw-1\";");
    env.put("KAFKA_SSL_KEYSTORE_PASSWORD", "pw-2");
    String text = AgentConfig.from(env).toString();
    assertFalse(text.contains("kkkk"), text);
    assertFalse(text.contains("pw-1"), text);
    assertFalse(text.contains("pw-2"), text);
    assertTrue(text.contains("sasl.jaas.config"), text);
  }

  private Map<String, String> without(String name) {
    Map<String, String> env = env();
    env.remove(name);
    return env;
  }

  private Map<String, String> with(String name, String value) {
    Map<String, String> env = env();
    env.put(name, value);
    return env;
  }

  private static void assertMessage(String variable, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.from(env));
    assertTrue(e.getMessage().contains(variable), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}
