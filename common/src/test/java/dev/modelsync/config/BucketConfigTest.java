package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BucketConfigTest {
  private static Optional<BucketConfig> from(Map<String, String> env) {
    return BucketConfig.from(Settings.parse(BucketConfig.OPTIONS, env));
  }

  @Test
  @DisplayName("no MODELSYNC_S3_BUCKET, no bucket; the rest defaults to AWS S3 in us-east-1")
  void defaults() {
    assertEquals(Optional.empty(), from(Map.of("MODELSYNC_S3_ENDPOINT", "http://x:9000")));
    BucketConfig c = from(Map.of("MODELSYNC_S3_BUCKET", "models")).orElseThrow();
    assertEquals(new BucketConfig("models", Optional.empty(), "us-east-1", false, ""), c);
    assertEquals("s3://models/iris/2/", c.location("iris", 2).toString());
  }

  @Test
  @DisplayName("every setting is read, and the keys take the prefix")
  void everything() {
    BucketConfig c =
        from(Map.of(
                "MODELSYNC_S3_BUCKET", "models",
                "MODELSYNC_S3_ENDPOINT", "http://minio:9000",
                "MODELSYNC_S3_REGION", "eu-west-1",
                "MODELSYNC_S3_PATH_STYLE", "true",
                "MODELSYNC_S3_PREFIX", "team/prod/"))
            .orElseThrow();
    assertEquals(Optional.of(URI.create("http://minio:9000")), c.endpoint());
    assertTrue(c.pathStyle());
    assertEquals("team/prod/iris/2/model.onnx", c.location("iris", 2).key("model.onnx"));
  }

  @Test
  @DisplayName("a bad value stops the start with a message naming its variable")
  void badValues() {
    Map<String, String> bad =
        Map.of(
            "MODELSYNC_S3_BUCKET", "Not_A_Bucket",
            "MODELSYNC_S3_ENDPOINT", "ftp://x",
            "MODELSYNC_S3_PATH_STYLE", "yes",
            "MODELSYNC_S3_PREFIX", "no-slash");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Map<String, String> env = new java.util.HashMap<>(Map.of("MODELSYNC_S3_BUCKET", "models"));
      env.put(e.getKey(), e.getValue());
      ConfigException thrown = assertThrows(ConfigException.class, () -> from(env));
      assertTrue(thrown.getMessage().startsWith(e.getKey()), thrown.getMessage());
    }
    for (String prefix : new String[] {"/abs/", "a//b/", "../x/", "a/./b/"}) {
      assertThrows(
          ConfigException.class,
          () -> from(Map.of("MODELSYNC_S3_BUCKET", "models", "MODELSYNC_S3_PREFIX", prefix)));
    }
  }
}
