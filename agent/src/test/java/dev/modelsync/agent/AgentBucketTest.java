package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.config.BucketConfig;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ObjectLocation;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import dev.modelsync.testkit.s3.S3Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/** The agent with a bucket: upload first, then {@code model.saved} naming where the objects are. */
@WithKafka
class AgentBucketTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static S3Proxy s3;
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentBucketTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  @BeforeAll
  static void start() {
    s3 = S3Proxy.onFreePort().start().createBucket("models");
    S3Proxy.useCredentials();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private TestAgent agent(String prefix) throws Exception {
    BucketConfig bucket =
        new BucketConfig("models", Optional.of(s3.endpoint()), "us-east-1", true, prefix);
    return new TestAgent(root, kafka.bootstrapServers(), 60_000, bucket).start();
  }

  private static byte[] object(ObjectLocation location, String file) {
    try (S3Client client = s3.client()) {
      return client
          .getObjectAsBytes(
              GetObjectRequest.builder()
                  .bucket(location.bucket())
                  .key(file == null ? location.manifestKey() : location.key(file))
                  .build())
          .asByteArray();
    }
  }

  @Test
  @DisplayName("model.saved goes out once every object is in the bucket, and names where they are")
  void uploadsThenPublishes() throws Exception {
    try (TestAgent agent = agent("a/");
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("iris", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals("s3://models/a/iris/1/", saved.objectLocation());
      ObjectLocation location = ObjectLocation.parse(saved.objectLocation());
      Path stored = agent.store.resolve("iris/1");
      for (ModelSaved.FileEntry f : saved.files()) {
        assertArrayEquals(Files.readAllBytes(stored.resolve(f.path())), object(location, f.path()));
      }
      assertEquals(
          saved.digest(),
          Json.newMapper().readTree(object(location, null)).path("digest").asText());
    }
  }

  @Test
  @DisplayName("with the bucket away the event waits (none lost) and goes out once it is back")
  void outageDelaysTheEvent() throws Exception {
    try (TestAgent agent = agent("b/");
        TopicReader<ModelEvent> reader = agent.events()) {
      s3.stop();
      try {
        agent.renameSave("iris", 1, Map.of("model.onnx", OnnxModelWriter.affine(3f)));
        long deadline = System.nanoTime() + WAIT.toNanos();
        String health = agent.get("/health").body();
        while (!health.contains("bucket upload of model iris version 1 failing")) {
          assertTrue(System.nanoTime() < deadline, "no upload failure reported: " + health);
          Thread.sleep(100);
          health = agent.get("/health").body();
        }
        assertEquals(503, agent.get("/health").statusCode());
        // the upload failed, so its model.saved cannot have gone out
        reader.assertExactly(0, Duration.ofMillis(500));
      } finally {
        s3.start();
      }
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals("iris", saved.model());
      assertEquals("s3://models/b/iris/1/", saved.objectLocation());
      ObjectLocation location = ObjectLocation.parse(saved.objectLocation());
      assertArrayEquals(OnnxModelWriter.affine(3f), object(location, "model.onnx"));
      assertEquals(
          saved.digest(),
          Json.newMapper().readTree(object(location, null)).path("digest").asText());
      agent.awaitStatus("/health", 200, WAIT);
      reader.assertExactly(1, Duration.ofMillis(500));
    }
  }

  @Test
  @DisplayName("an agent stopped while the bucket is away publishes the version after its restart")
  void outageAcrossRestart() throws Exception {
    try (TestAgent agent = agent("c/");
        TopicReader<ModelEvent> reader = agent.events()) {
      // a version published before: the agent has a state file, as any agent that ran a while
      agent.renameSave("iris", 1, Map.of("model.onnx", OnnxModelWriter.affine(4f)));
      reader.await(1, WAIT);
      Path state = agent.store.resolve(".modelsync-agent/state.json");
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!Files.exists(state) || !Files.readString(state).contains("iris")) {
        assertTrue(System.nanoTime() < deadline, "no state file");
        Thread.sleep(50);
      }
      s3.stop();
      try {
        agent.renameSave("iris", 2, Map.of("model.onnx", OnnxModelWriter.affine(5f)));
        while (!agent.get("/health").body().contains("bucket upload of model iris version 2")) {
          assertTrue(System.nanoTime() < deadline, "no upload failure reported");
          Thread.sleep(100);
        }
        agent.stop();
      } finally {
        s3.start();
      }
      reader.assertExactly(1, Duration.ofMillis(500));
      agent.start();
      ModelSaved saved = (ModelSaved) reader.await(2, WAIT).get(1);
      assertEquals(2, saved.version());
      assertEquals("s3://models/c/iris/2/", saved.objectLocation());
      ObjectLocation location = ObjectLocation.parse(saved.objectLocation());
      assertArrayEquals(OnnxModelWriter.affine(5f), object(location, "model.onnx"));
      reader.assertExactly(2, Duration.ofMillis(500));
    }
  }
}
