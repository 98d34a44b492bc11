package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ApiConfigTest {
  static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    env.put("MODELSYNC_STORE_DIR", "/tmp/store");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  @DisplayName("defaults, environment and flags")
  void defaultsAndFlags() {
    ApiConfig c = ApiConfig.from(env("HOSTNAME", "pod-1"), "--port", "9090");
    assertEquals(9090, c.port());
    assertEquals("modelsync.model-events", c.eventsTopic());
    assertEquals("modelsync.model-status", c.statusTopic());
    assertEquals("pod-1", c.instanceId());
    assertEquals(2, c.keepVersions());
    assertEquals(1, c.ortIntraOpThreads());
    assertTrue(c.adminToken().isEmpty());
    assertEquals("0.0.0.0", c.host());
    assertEquals(8080, ApiConfig.from(env()).port());
    // one per core when unset (declared without a default, so the listing is the same everywhere)
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, c.inferThreads());
    assertEquals(cores, c.httpInstances());
    ApiConfig set =
        ApiConfig.from(env("MODELSYNC_INFER_THREADS", "3", "MODELSYNC_HTTP_INSTANCES", "5"));
    assertEquals(3, set.inferThreads());
    assertEquals(5, set.httpInstances());
    assertEquals(64, c.shadowQueue());
    assertEquals(32, c.shadowStack());
    ApiConfig shadow =
        ApiConfig.from(env("MODELSYNC_SHADOW_QUEUE", "256", "MODELSYNC_SHADOW_STACK", "1"));
    assertEquals(256, shadow.shadowQueue());
    assertEquals(1, shadow.shadowStack());
  }

  @Test
  @DisplayName("each bad value stops the start with a message naming the variable")
  void errorsNameTheVariable() {
    assertNames("KAFKA_BOOTSTRAP_SERVERS", Map.of("MODELSYNC_STORE_DIR", "/tmp"));
    assertNames("MODELSYNC_STORE_DIR", Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092"));
    assertNames("MODELSYNC_CACHE_DIR", env("MODELSYNC_CACHE_DIR", "/proc/nope"));
    assertNames("MODELSYNC_PORT", env("MODELSYNC_PORT", "http"));
    assertNames("MODELSYNC_PORT", env("MODELSYNC_PORT", "70000"));
    assertNames("MODELSYNC_KEEP_VERSIONS", env("MODELSYNC_KEEP_VERSIONS", "0"));
    assertNames("MODELSYNC_ORT_INTRA_OP_THREADS", env("MODELSYNC_ORT_INTRA_OP_THREADS", "-1"));
    assertNames("MODELSYNC_INFER_THREADS", env("MODELSYNC_INFER_THREADS", "x"));
    assertNames("MODELSYNC_MAX_BODY_BYTES", env("MODELSYNC_MAX_BODY_BYTES", "10"));
    assertNames("MODELSYNC_ADMIN_TOKEN", env("MODELSYNC_ADMIN_TOKEN", "short"));
    assertNames("MODELSYNC_SHADOW_QUEUE", env("MODELSYNC_SHADOW_QUEUE", "0"));
    assertNames("MODELSYNC_SHADOW_QUEUE", env("MODELSYNC_SHADOW_QUEUE", "lots"));
    assertNames("MODELSYNC_SHADOW_STACK", env("MODELSYNC_SHADOW_STACK", "-1"));
    assertNames("MODELSYNC_SHADOW_STACK", env("MODELSYNC_SHADOW_STACK", "5000"));
    assertNames("MODELSYNC_EVENTS_TOPIC", env("MODELSYNC_EVENTS_TOPIC", "bad topic"));
    assertNames("KAFKA_BOOTSTRAP_SERVERS", env("KAFKA_BOOTSTRAP_SERVERS", "nohost"));
    assertNames("MODELSYNC_ARTIFACT_BASE_URL", env("MODELSYNC_ARTIFACT_BASE_URL", "ftp://agent"));
    assertNames("MODELSYNC_ARTIFACT_BASE_URL", env("MODELSYNC_ARTIFACT_BASE_URL", "http://a b"));
    assertNames("MODELSYNC_ARTIFACT_TOKEN", env("MODELSYNC_ARTIFACT_TOKEN", "short"));
    assertNames("MODELSYNC_CACHE_MAX_BYTES", env("MODELSYNC_CACHE_MAX_BYTES", "0"));
  }

  @Test
  @DisplayName("the store directory is optional once an artifact base URL is set; one is needed")
  void storeOrBaseUrl() {
    Map<String, String> remote = env("MODELSYNC_ARTIFACT_BASE_URL", "http://agent:8081");
    remote.remove("MODELSYNC_STORE_DIR");
    ApiConfig c = ApiConfig.from(remote);
    assertTrue(c.storeDir().isEmpty());
    assertEquals("http://agent:8081", c.artifacts().baseUrl().orElseThrow().toString());
    assertTrue(c.artifacts().cacheDir().isEmpty());
    assertEquals(2L << 30, c.artifacts().cacheMaxBytes());
    Map<String, String> neither = env();
    neither.remove("MODELSYNC_STORE_DIR");
    var e = assertThrows(ConfigException.class, () -> ApiConfig.from(neither));
    assertTrue(e.getMessage().contains("MODELSYNC_ARTIFACT_BASE_URL"), e.getMessage());
    String token = "artifact-token-0123456789";
    ApiConfig withToken = ApiConfig.from(env("MODELSYNC_ARTIFACT_TOKEN", token));
    assertTrue(withToken.artifacts().token().isPresent());
    assertTrue(!withToken.toString().contains(token), "the token is never shown");
  }

  @Test
  @DisplayName(
      "a replica may read only from a bucket: MODELSYNC_S3_* is all it needs besides Kafka")
  void bucketOnly() {
    Map<String, String> bucket = env("MODELSYNC_S3_BUCKET", "models");
    bucket.remove("MODELSYNC_STORE_DIR");
    bucket.put("MODELSYNC_S3_ENDPOINT", "http://minio:9000");
    bucket.put("MODELSYNC_S3_PATH_STYLE", "true");
    ApiConfig c = ApiConfig.from(bucket);
    assertTrue(c.storeDir().isEmpty());
    assertTrue(c.artifacts().baseUrl().isEmpty());
    assertEquals("models", c.artifacts().bucket().orElseThrow().bucket());
    assertTrue(c.artifacts().bucket().orElseThrow().pathStyle());
    assertNames("MODELSYNC_S3_BUCKET", env("MODELSYNC_S3_BUCKET", "No_Such"));
  }

  @Test
  @DisplayName("an admin token under 16 characters stops the start; the token is in no toString")
  void adminTokenLengthAndRedaction() {
    var e =
        assertThrows(
            ConfigException.class,
            () -> ApiConfig.from(env("MODELSYNC_ADMIN_TOKEN", "fifteen-chars-x")));
    assertTrue(e.getMessage().contains("MODELSYNC_ADMIN_TOKEN"), e.getMessage());
    assertFalse(e.getMessage().contains("fifteen-chars-x"), "the value is never shown");
    String token = "sixteen-chars-ok";
    ApiConfig c = ApiConfig.from(env("MODELSYNC_ADMIN_TOKEN", token));
    assertTrue(c.adminToken().orElseThrow().matches(token));
    assertFalse(c.adminToken().orElseThrow().matches(token + "x"));
    assertFalse(c.toString().contains(token), c.toString());
    assertFalse(c.adminToken().toString().contains(token));
  }

  @Test
  @DisplayName(
      "the listen address is an IP address (v4 or v6) or a host name; junk names MODELSYNC_HOST")
  void listenAddress() {
    assertEquals("127.0.0.1", ApiConfig.from(env("MODELSYNC_HOST", "127.0.0.1")).host());
    assertEquals("::1", ApiConfig.from(env(), "--host", "::1").host());
    assertEquals("localhost", ApiConfig.from(env("MODELSYNC_HOST", "localhost")).host());
    assertNames("MODELSYNC_HOST", env("MODELSYNC_HOST", "not a host!"));
    assertNames("MODELSYNC_HOST", env("MODELSYNC_HOST", "300.1.1.1"));
    assertNames("MODELSYNC_HOST", env("MODELSYNC_HOST", "256.0.0.1"));
    assertNames("MODELSYNC_HOST", env("MODELSYNC_HOST", "1:2:3:4:5:6:7:8:9"));
  }

  private static void assertNames(String variable, Map<String, String> env) {
    var e = assertThrows(ConfigException.class, () -> ApiConfig.from(env));
    assertTrue(e.getMessage().contains(variable), e.getMessage());
  }
}
