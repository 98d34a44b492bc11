package dev.modelsync.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.testkit.kafka.TopicReader;
import dev.modelsync.testkit.kafka.WithKafka;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer of the models directory swaps directories for links out of it while the agent copies
 * saves: the model directory, a version directory and a directory inside a version. The files
 * outside have the same names, sizes and times as the real ones, so only their bytes tell them
 * apart: {@code I} inside, {@code S} outside.
 */
@WithKafka
class AgentLinkRaceTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int VERSIONS = 12;
  private static final int SIZE = 1 << 20;
  private static final FileTime TIME = FileTime.fromMillis(1_700_000_000_000L);
  private final EmbeddedKafka kafka;

  @TempDir Path root;

  AgentLinkRaceTest(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  /**
   * The files of a version, inside ('I' bytes, "inside") or outside ('S' bytes, "SECRET"); the
   * version number in model.json makes each version differ from the others.
   */
  private static Map<String, byte[]> files(boolean inside, long version) {
    byte[] fill = new byte[SIZE];
    Arrays.fill(fill, (byte) (inside ? 'I' : 'S'));
    String who = inside ? "inside" : "SECRET";
    return Map.of(
        "model.onnx", fill,
        "sub/weights.bin", fill,
        "model.json",
            ("{\"engine\":\"OnnxRuntime\",\"file\":\"model.onnx\",\"metadata\":{\"who\":\""
                    + who
                    + "\",\"version\":"
                    + version
                    + "}}")
                .getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Path dir, Map<String, byte[]> files) throws Exception {
    for (var f : new TreeMap<>(files).entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    // model.json last, as the helper writes it; every file gets the same time inside and out
    for (var f : files.keySet()) {
      Files.setLastModifiedTime(dir.resolve(f), TIME);
    }
  }

  @Test
  @DisplayName(
      "directories swapped for links out of the models directory during copies: nothing from"
          + " outside is stored, published or served")
  void linkSwapsDuringCopies() throws Exception {
    Path outside = Files.createDirectories(root.resolve("outside"));
    Path parked = Files.createDirectories(root.resolve("parked"));
    try (TestAgent agent = new TestAgent(root, kafka.bootstrapServers(), 100).start();
        TopicReader<ModelEvent> reader = agent.events()) {
      // the agent warms up at start: wait until it publishes, so it copies while links swap
      agent.renameSave("ready", 1, Map.of("model.onnx", new byte[] {1}));
      assertEquals("ready", reader.await(1, WAIT).get(0).model());
      Path modelDir = Files.createDirectories(agent.models.resolve("race"));
      ReentrantLock fs = new ReentrantLock();
      AtomicInteger saved = new AtomicInteger();
      AtomicInteger swaps = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      Thread racer =
          new Thread(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                  int n = saved.get();
                  if (n == 0) {
                    Thread.onSpinWait();
                    continue;
                  }
                  // the newest version: the one the agent is copying (older ones are published)
                  int v = n;
                  Path real;
                  Path target;
                  switch (random.nextInt(3)) {
                    case 0 -> {
                      real = modelDir;
                      target = outside.resolve("race");
                    }
                    case 1 -> {
                      real = modelDir.resolve(Integer.toString(v));
                      target = outside.resolve("race/" + v);
                    }
                    default -> {
                      real = modelDir.resolve(v + "/sub");
                      target = outside.resolve("race/" + v + "/sub");
                    }
                  }
                  fs.lock();
                  try {
                    Path away = parked.resolve("x");
                    Files.move(real, away, StandardCopyOption.ATOMIC_MOVE);
                    Files.createSymbolicLink(real, target);
                    swaps.incrementAndGet();
                    LockSupport.parkNanos(random.nextLong(200_000, 4_000_000));
                    Files.delete(real);
                    Files.move(away, real, StandardCopyOption.ATOMIC_MOVE);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  } finally {
                    fs.unlock();
                  }
                  // random times, so the swaps do not fall into step with the agent's looks, and
                  // few enough that the agent keeps up and copies while they go on
                  LockSupport.parkNanos(random.nextLong(2_000_000, 10_000_000));
                }
              },
              "link-racer");
      racer.setDaemon(true);
      racer.start();
      try {
        for (int v = 1; v <= VERSIONS; v++) {
          write(outside.resolve("race/" + v), files(false, v));
          Path tmp = Files.createDirectories(root.resolve("staging/" + v));
          write(tmp, files(true, v));
          fs.lock();
          try {
            Files.move(tmp, modelDir.resolve(Integer.toString(v)), StandardCopyOption.ATOMIC_MOVE);
          } finally {
            fs.unlock();
          }
          saved.incrementAndGet();
          Thread.sleep(150);
        }
        Thread.sleep(1_000);
      } finally {
        stop.set(true);
        racer.join(10_000);
      }
      assertFalse(racer.isAlive());
      assertTrue(swaps.get() > 100, "only " + swaps.get() + " swaps");

      // once the swapping stops every version is published, each exactly as saved inside
      Set<Long> versions = new TreeSet<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      for (int seen = 2; versions.size() < VERSIONS; seen++) {
        assertTrue(System.nanoTime() < deadline, "published only " + versions);
        List<ModelEvent> events = reader.await(seen, WAIT);
        if (events.get(seen - 1) instanceof ModelSaved s) {
          versions.add(s.version());
          assertEquals(
              Map.of("who", "inside", "version", (int) s.version()),
              s.manifest().metadata(),
              "manifest of " + s);
          Map<String, String> published = new TreeMap<>();
          s.files().forEach(f -> published.put(f.path(), f.sha256()));
          // With inotify a move-in is complete at once, so a version can be read while its inner
          // directory is a link: that directory is left out (links inside a version are never
          // followed), never read from outside. Everything published is the inside bytes.
          Map<String, String> inside = sha256s(files(true, s.version()));
          Map<String, String> expected = new TreeMap<>(inside);
          expected.keySet().removeIf(k -> k.startsWith("sub/") && !published.containsKey(k));
          assertEquals(expected, published, "files of version " + s.version());
          assertEquals(Digests.ofDirectory(agent.store.resolve("race/" + s.version())), s.digest());
        }
      }

      // the store holds only bytes from inside
      List<Path> stored;
      try (Stream<Path> walk = Files.walk(agent.store.resolve("race"))) {
        stored = walk.filter(Files::isRegularFile).toList();
      }
      assertTrue(stored.size() >= 2 * VERSIONS, "stored: " + stored);
      for (Path p : stored) {
        String rel = agent.store.resolve("race").relativize(p).toString();
        long version = Long.parseLong(rel.substring(0, rel.indexOf('/')));
        String name = rel.substring(rel.indexOf('/') + 1);
        assertArrayEquals(
            files(true, version).get(name), Files.readAllBytes(p), "store file " + rel);
      }

      // and /artifacts serves only those
      for (long v : versions) {
        for (var f : files(true, v).entrySet()) {
          if (!Files.exists(agent.store.resolve("race/" + v + "/" + f.getKey()))) {
            continue; // left out: it was a link when the version was read
          }
          HttpResponse<byte[]> r =
              agent.send(
                  agent
                      .request("/artifacts/race/" + v + "/" + f.getKey())
                      .version(HttpClient.Version.HTTP_1_1)
                      .timeout(WAIT),
                  HttpResponse.BodyHandlers.ofByteArray());
          assertEquals(200, r.statusCode(), "GET race/" + v + "/" + f.getKey());
          assertArrayEquals(f.getValue(), r.body(), "served race/" + v + "/" + f.getKey());
        }
      }
    }
  }

  private static Map<String, String> sha256s(Map<String, byte[]> files) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (var f : files.entrySet()) {
      out.put(
          f.getKey(),
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(f.getValue())));
    }
    return out;
  }
}
