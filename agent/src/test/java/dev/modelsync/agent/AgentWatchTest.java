package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.agent.watch.WatchMode;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch modes against real files and a real broker: inotify completes a save on a move-in or a
 * writer's close (the completion metric names the rule), never while a writer has the file open;
 * the poll mode still completes saves by the quiet period.
 */
@WithKafka
class AgentWatchTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentWatchTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  @BeforeAll
  static void linuxOnly() {
    Assumptions.assumeTrue(
        System.getProperty("os.name").toLowerCase().contains("linux"), "inotify is Linux only");
  }

  private TestAgent agent(long quietMs, WatchMode mode) throws Exception {
    return new TestAgent(root, kafka.bootstrapServers(), quietMs, mode).start();
  }

  @Test
  @DisplayName("inotify: a single file or a version directory moved in is published by the move")
  void moveInPublishedByTheMove() throws Exception {
    // The model directory exists before the agent watches it: one made just before the move
    // might be watched only after the move, which then completes by ctime or the quiet period.
    Files.createDirectories(root.resolve("models/iris"));
    // a quiet period no test waits out: only the move can publish these
    try (TestAgent agent = agent(600_000, WatchMode.INOTIFY);
        TopicReader<ModelEvent> reader = agent.events()) {
      Path tmp = agent.models.resolve(".solo.onnx.tmp");
      Files.write(tmp, OnnxModelWriter.affine(2f));
      Files.move(tmp, agent.models.resolve("solo.onnx"), StandardCopyOption.ATOMIC_MOVE);
      ModelSaved file = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals("solo", file.model());
      assertEquals(Digests.ofDirectory(agent.store.resolve("solo/1")), file.digest());
      Path dirTmp = Files.createDirectory(agent.models.resolve("iris/.tmp-1"));
      Files.write(dirTmp.resolve("model.onnx"), OnnxModelWriter.affine(3f));
      Files.move(dirTmp, agent.models.resolve("iris/1"), StandardCopyOption.ATOMIC_MOVE);
      ModelSaved dir = (ModelSaved) reader.await(2, WAIT).get(1);
      assertEquals("iris", dir.model());
      reader.assertExactly(2, Duration.ofMillis(500));
      assertEquals(2.0, completions(agent, "moved_in"));
      assertTrue(get(agent, "/health").contains("\"watch\":\"inotify\""));
      assertEquals(0.0, completions(agent, "renamed") + completions(agent, "quiet"));
    }
  }

  @Test
  @DisplayName(
      "inotify: a file truncated and written in place with pauses longer than the quiet period"
          + " gives exactly one event, after the close, with the whole file's digest")
  void inPlaceWriteOneEvent() throws Exception {
    try (TestAgent agent = agent(150, WatchMode.INOTIFY);
        TopicReader<ModelEvent> reader = agent.events()) {
      Path file = agent.models.resolve("inplace.onnx");
      Files.write(file, OnnxModelWriter.affine(2f));
      reader.await(1, WAIT);
      byte[] whole = randomBytes(4 << 20);
      Instant closed = writeInChunks(file, whole, StandardOpenOption.TRUNCATE_EXISTING);
      ModelSaved saved = (ModelSaved) reader.await(2, WAIT).get(1);
      reader.assertExactly(2, Duration.ofMillis(800));
      assertEquals(2, saved.version());
      assertEquals(whole.length, saved.size());
      assertArrayEquals(whole, Files.readAllBytes(agent.store.resolve("inplace/2/inplace.onnx")));
      assertEquals(Digests.ofDirectory(agent.store.resolve("inplace/2")), saved.digest());
      assertTrue(!saved.savedAt().isBefore(closed), saved.savedAt() + " before " + closed);
      // version 1 (Files.write) and version 2, each by its writer's close
      assertEquals(2.0, completions(agent, "closed"));
      assertEquals(0.0, completions(agent, "quiet"));
    }
  }

  @Test
  @DisplayName(
      "inotify: a writer that closes half a file and reopens it to append gets the closed half"
          + " published, then the whole file as the next version")
  void closeThenReopen() throws Exception {
    try (TestAgent agent = agent(600_000, WatchMode.INOTIFY);
        TopicReader<ModelEvent> reader = agent.events()) {
      Path file = agent.models.resolve("reopen.onnx");
      byte[] whole = randomBytes(1 << 20);
      byte[] half = Arrays.copyOf(whole, whole.length / 2);
      Files.write(file, half);
      ModelSaved first = (ModelSaved) reader.await(1, WAIT).get(0);
      assertEquals(half.length, first.size());
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.APPEND)) {
        out.write(ByteBuffer.wrap(whole, half.length, whole.length - half.length));
      }
      List<ModelEvent> events = reader.await(2, WAIT);
      ModelSaved last = (ModelSaved) events.get(1);
      reader.assertExactly(2, Duration.ofMillis(500));
      assertEquals(2, last.version());
      assertEquals(whole.length, last.size());
      assertArrayEquals(whole, Files.readAllBytes(agent.store.resolve("reopen/2/reopen.onnx")));
      assertEquals(Digests.ofDirectory(agent.store.resolve("reopen/2")), last.digest());
    }
  }

  @Test
  @DisplayName("poll mode (forced): /health says so, and saves complete by the quiet period")
  void pollModeStillWorks() throws Exception {
    // a quiet period well above the writer's 250 ms pauses: on a loaded machine a pause can
    // stretch past 300 ms, and poll mode then rightly takes the file as complete (CI saw 6/8 of it)
    try (TestAgent agent = agent(3_000, WatchMode.POLL);
        TopicReader<ModelEvent> reader = agent.events()) {
      Path file = agent.models.resolve("polled.onnx");
      byte[] whole = randomBytes(1 << 20);
      writeInChunks(file, whole, StandardOpenOption.CREATE_NEW);
      ModelSaved saved = (ModelSaved) reader.await(1, WAIT).get(0);
      assertArrayEquals(whole, Files.readAllBytes(agent.store.resolve("polled/1/polled.onnx")));
      agent.renameSave("polldir", 1, Map.of("model.onnx", OnnxModelWriter.affine(2f)));
      reader.await(2, WAIT);
      reader.assertExactly(2, Duration.ofMillis(500));
      assertEquals(Digests.ofDirectory(agent.store.resolve("polled/1")), saved.digest());
      assertEquals(0.0, completions(agent, "moved_in") + completions(agent, "closed"));
      assertEquals(2.0, completions(agent, "quiet") + completions(agent, "renamed"));
      assertTrue(get(agent, "/health").contains("\"watch\":\"poll\""));
    }
  }

  /** Writes {@code bytes} in 8 chunks with a 250 ms pause after each; returns when it closed. */
  private static Instant writeInChunks(Path file, byte[] bytes, StandardOpenOption how)
      throws Exception {
    int chunk = bytes.length / 8;
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, how)) {
      for (int off = 0; off < bytes.length; off += chunk) {
        out.write(ByteBuffer.wrap(bytes, off, Math.min(chunk, bytes.length - off)));
        Thread.sleep(250);
      }
      return Instant.now();
    }
  }

  /** A GET with a generous time-out: the agent's first answers load classes on a busy machine. */
  private static String get(TestAgent agent, String path) throws Exception {
    return agent
        .send(
            agent.request(path).timeout(Duration.ofSeconds(60)),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static double completions(TestAgent agent, String rule) throws Exception {
    String prefix =
        "modelsync_agent_saves_complete_total{instance=\"test\",rule=\"" + rule + "\"} ";
    return get(agent, "/metrics")
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
        .sum();
  }
}
