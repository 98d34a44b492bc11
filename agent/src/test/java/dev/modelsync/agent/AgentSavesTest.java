package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import dev.modelsync.testkit.prom.Promtool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithKafka
class AgentSavesTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String MANIFEST =
      "{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\",\"metadata\":{\"by\":\"test\"}}";
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentSavesTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  private TestAgent agent(long quietMs) throws Exception {
    return new TestAgent(root, kafka.bootstrapServers(), quietMs).start();
  }

  @Test
  @DisplayName("a version directory renamed into place is published at once, as stored")
  void renameSave() throws Exception {
    try (TestAgent agent = agent(60_000);
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("iris", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals("iris", saved.model());
      assertEquals(1, saved.version());
      assertEquals("iris/1", saved.artifact());
      assertEquals("OnnxRuntime", saved.engine());
      assertEquals("model.onnx", saved.manifest().file());
      Path stored = agent.store.resolve("iris/1");
      assertEquals(Digests.ofDirectory(stored), saved.digest());
      assertEquals(Digests.ofDirectory(agent.models.resolve("iris/1")), saved.digest());
      assertEquals(List.of("model.onnx"), Digests.listFiles(stored));
      assertEquals("iris", reader.records().get(0).key());
      assertEquals(
          "application/cloudevents+json",
          new String(
              reader.records().get(0).headers().lastHeader("content-type").value(),
              StandardCharsets.UTF_8));
      reader.assertExactly(1, Duration.ofMillis(800));
    }
  }

  @Test
  @DisplayName("a version written in place with model.json last is published with its manifest")
  void manifestSave() throws Exception {
    try (TestAgent agent = agent(60_000);
        TopicReader<ModelEvent> reader = agent.events()) {
      Path dir = Files.createDirectories(agent.models.resolve("wine/3"));
      Files.write(dir.resolve("model.onnx"), OnnxModelWriter.affine(3f));
      Files.writeString(dir.resolve("model.json"), MANIFEST);
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals(3, saved.version());
      assertEquals(Map.of("by", "test"), saved.manifest().metadata());
      assertEquals(
          List.of("model.json", "model.onnx"), Digests.listFiles(agent.store.resolve("wine/3")));
      assertEquals(Digests.ofDirectory(agent.store.resolve("wine/3")), saved.digest());
    }
  }

  @Test
  @DisplayName("a 40 MB file written slowly gives one event after the last byte, digest of it all")
  void quietSaveOfSlowLargeFile() throws Exception {
    // the quiet period runs on a clock that stands still while the file is written, so however
    // long the writer stalls on a busy machine, nothing completes before the test moves it on
    try (TestAgent agent =
            new TestAgent(root, kafka.bootstrapServers(), 400).withManualClock().start();
        TopicReader<ModelEvent> reader = agent.events()) {
      Path dir = Files.createDirectories(agent.models.resolve("big/1"));
      byte[] chunk = new byte[1 << 20];
      Random random = new Random(7);
      Instant lastByte;
      try (FileChannel out =
          FileChannel.open(
              dir.resolve("model.onnx"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (int i = 0; i < 40; i++) {
          random.nextBytes(chunk);
          out.write(ByteBuffer.wrap(chunk));
          // a slow writer that once stalls for longer than the quiet period: by the wall clock
          // that would publish half a file; the quiet clock stands still, so it cannot
          Thread.sleep(i == 20 ? 3_000 : 60);
        }
        lastByte = Instant.now();
      }
      // seen, and waiting: the quiet clock has not moved
      agent.awaitBody("/models", ".*\"big/1\":\"waiting: still changing\".*");
      agent.quietClock.addAndGet(400);
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals(40L << 20, saved.size());
      assertEquals(Digests.ofDirectory(dir), saved.digest());
      assertTrue(
          !saved.savedAt().isBefore(lastByte), "saved " + saved.savedAt() + " before " + lastByte);
      reader.assertExactly(1, Duration.ofSeconds(1));
    }
  }

  @Test
  @DisplayName("overwriting a single model file twice publishes versions 1 and 2")
  void singleFileOverwrite() throws Exception {
    try (TestAgent agent = agent(300);
        TopicReader<ModelEvent> reader = agent.events()) {
      Path file = agent.models.resolve("solo.onnx");
      Files.write(file, OnnxModelWriter.affine(2f));
      reader.await(1, WAIT);
      Files.write(file, OnnxModelWriter.affine(5f));
      List<ModelEvent> events = reader.await(2, WAIT);
      assertEquals(List.of(1L, 2L), events.stream().map(ModelEvent::version).toList());
      ModelSaved second = (ModelSaved) events.get(1);
      assertEquals("solo/2", second.artifact());
      assertArrayEquals(
          OnnxModelWriter.affine(5f), Files.readAllBytes(agent.store.resolve("solo/2/solo.onnx")));
      assertEquals(Digests.ofDirectory(agent.store.resolve("solo/2")), second.digest());
      reader.assertExactly(2, Duration.ofMillis(800));
    }
  }

  @Test
  @DisplayName("a save equal to the latest version publishes nothing")
  void duplicateContent() throws Exception {
    try (TestAgent agent = agent(300);
        TopicReader<ModelEvent> reader = agent.events()) {
      Map<String, byte[]> files =
          Map.of("model.onnx", OnnxModelWriter.affine(2f), "model.json", MANIFEST.getBytes());
      agent.renameSave("dup", 1, files);
      reader.await(1, WAIT);
      agent.renameSave("dup", 2, files);
      Path single = agent.models.resolve("dupsolo.onnx");
      Files.write(single, OnnxModelWriter.affine(4f));
      reader.await(2, WAIT);
      Files.write(single, OnnxModelWriter.affine(4f));
      List<ModelEvent> events = reader.assertExactly(2, Duration.ofMillis(1500));
      assertEquals(List.of("dup", "dupsolo"), events.stream().map(ModelEvent::model).toList());
      assertTrue(agent.get("/models").body().contains("same as version 1"));
      assertTrue(!Files.exists(agent.store.resolve("dup/2")));
    }
  }

  @Test
  @DisplayName("deleting a version directory or a single model file publishes model.deleted")
  void delete() throws Exception {
    try (TestAgent agent = agent(200);
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("gone", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      Files.write(agent.models.resolve("gonesolo.pt"), new byte[] {1, 2, 3});
      List<ModelEvent> saved = reader.await(2, WAIT);
      deleteTree(agent.models.resolve("gone/1"));
      Files.delete(agent.models.resolve("gonesolo.pt"));
      List<ModelEvent> events = reader.await(4, WAIT);
      for (ModelEvent e : events.subList(2, 4)) {
        ModelDeleted deleted = assertInstanceOf(ModelDeleted.class, e);
        ModelSaved original =
            (ModelSaved)
                saved.stream().filter(s -> s.model().equals(deleted.model())).findFirst().get();
        assertEquals(original.version(), deleted.version());
        assertEquals(original.digest(), deleted.digest());
      }
      reader.assertExactly(4, Duration.ofMillis(800));
    }
  }

  @Test
  @DisplayName("hidden, temporary, checkpoint and badly named files publish nothing")
  void ignoredPaths() throws Exception {
    try (TestAgent agent = agent(200);
        TopicReader<ModelEvent> reader = agent.events()) {
      byte[] model = OnnxModelWriter.affine(2f);
      Path m = agent.models;
      write(m.resolve(".hidden/1/model.onnx"), model);
      write(m.resolve(".ipynb_checkpoints/x-checkpoint.onnx"), model);
      write(m.resolve("ok/.ipynb_checkpoints/model.onnx"), model);
      write(m.resolve("ok/latest/model.onnx"), model);
      write(m.resolve("ok/0/model.onnx"), model);
      write(m.resolve("bad name/1/model.onnx"), model);
      write(m.resolve("half.onnx.part"), model);
      write(m.resolve("half.onnx.tmp"), model);
      write(m.resolve(".secret.onnx"), model);
      write(m.resolve("notes.txt"), model);
      write(m.resolve("ok/1/model.onnx.tmp"), model);
      reader.assertExactly(0, Duration.ofMillis(1500));
      write(m.resolve("ok/1/model.onnx"), model);
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals(List.of("model.onnx"), Digests.listFiles(agent.store.resolve("ok/1")));
      assertEquals("ok", saved.model());
      reader.assertExactly(1, Duration.ofMillis(800));
    }
  }

  @Test
  @DisplayName("kcat, a consumer written by someone else, shows the CloudEvent JSON")
  void kcatReadsEvents() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/kcat")) || onPath("kcat"),
        "kcat is not installed; install it (apt-get install kcat) to run this test");
    try (TestAgent agent = agent(60_000);
        TopicReader<ModelEvent> reader = agent.events()) {
      agent.renameSave("kcat-model", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      reader.await(1, WAIT);
      Process kcat =
          new ProcessBuilder(
                  "kcat",
                  "-C",
                  "-b",
                  kafka.bootstrapServers(),
                  "-t",
                  agent.config.eventsTopic(),
                  "-o",
                  "beginning",
                  "-e",
                  "-q")
              .redirectErrorStream(true)
              .start();
      assertTrue(kcat.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "kcat did not finish");
      String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(out.contains("\"specversion\":\"1.0\""), out);
      assertTrue(out.contains("\"type\":\"dev.modelsync.model.saved\""), out);
      assertTrue(out.contains("\"source\":\"/modelsync/agent/test\""), out);
      assertTrue(out.contains("\"model\":\"kcat-model\""), out);
    }
  }

  @Test
  @DisplayName("/health is 200 with Kafka up; /models shows saves; promtool accepts /metrics")
  void httpEndpoints() throws Exception {
    try (TestAgent agent = agent(60_000);
        TopicReader<ModelEvent> reader = agent.events()) {
      assertEquals(200, agent.awaitStatus("/health", 200, WAIT).statusCode());
      agent.renameSave("http", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      reader.await(1, WAIT);
      // the counters are updated as the acknowledgement is handled: wait for them, not a time
      agent.awaitBody("/metrics", "modelsync_agent_pending_events\\{instance=\"[^\"]+\"\\} 0\\.0");
      agent.awaitBody(
          "/metrics",
          "modelsync_agent_events_published_total\\{instance=\"[^\"]+\",type=\"saved\"\\} 1\\.0");
      String metrics = agent.get("/metrics").body();
      for (String name :
          List.of(
              "modelsync_agent_saves_total{instance=\"I\",model=\"http\"} 1.0",
              "modelsync_agent_events_published_total{instance=\"I\",type=\"saved\"} 1.0",
              "modelsync_agent_publish_latency_seconds_count{instance=\"I\"} 1",
              "modelsync_agent_publish_latency_seconds_bucket{instance=\"I\",le=\"0.001\"}",
              "modelsync_agent_pending_events{instance=\"I\"} 0.0",
              "modelsync_agent_errors_total{instance=\"I\",kind=\"publish\"} 0.0",
              "process_resident_memory_bytes{instance=\"I\"}",
              "jvm_memory_used_bytes")) {
        String sample = name.replace("\"I\"", "\"" + agent.config.instanceId() + "\"");
        assertTrue(metrics.contains(sample), sample + " missing from\n" + metrics);
      }
      Path promtool = Promtool.find();
      org.junit.jupiter.api.Assumptions.assumeTrue(
          promtool != null, "promtool is not installed (Debian package 'prometheus')");
      Promtool.Result lint = Promtool.checkMetrics(promtool, metrics);
      assertEquals("", lint.output(), "promtool check metrics");
      assertEquals(0, lint.exitCode(), lint.output());
      String models = agent.get("/models").body();
      assertTrue(models.contains("\"http/1\":\"published as version 1\""), models);
      assertTrue(models.contains("\"status\":\"PUBLISHED\""), models);
    }
  }

  @Test
  @DisplayName("closing the agent leaves none of its threads behind")
  void closeLeavesNoThreads() throws Exception {
    TestAgent agent = agent(200);
    agent.renameSave("threads", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
    try (TopicReader<ModelEvent> reader = agent.events()) {
      reader.await(1, WAIT);
    }
    agent.close();
    List<String> left =
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(n -> n.contains("modelsync-agent"))
            .toList();
    assertEquals(List.of(), left);
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
