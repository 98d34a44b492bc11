package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreFullTest {
  @Test
  @DisplayName(
      "a save larger than the free space of the store: /health says 503 store not writable, the"
          + " metric is 0, nothing is published or left half-written; a save that fits works")
  void fullStore(@TempDir Path dir) throws Exception {
    Path store = Files.createDirectories(dir.resolve("data").resolve("store"));
    Assumptions.assumeTrue(
        mount(store), "skipped: cannot mount a 1 MB tmpfs here (needs root and mount rights)");
    try (var system = StandaloneHarness.start(dir, Map.of("MODELSYNC_HEALTH_MS", "500"))) {
      int agent = system.agentPort();
      KafkaOutageTest.awaitHealth(agent, "/health", 200, "UP");
      // ~2.8 MB of weights into a 1 MB store
      StandaloneHarness.saveVersion(
          system.modelsDir(), "big", 1, OnnxModelWriter.withHiddenLayer(100_000, 1));
      String down = KafkaOutageTest.awaitHealth(agent, "/health", 503, "store not writable");
      System.out.println("agent /health while the store is full: " + down);
      assertTrue(down.contains("big/1"), down);
      assertEquals(0.0, Faults.gauge(agent, "modelsync_agent_store_writable"));

      StandaloneHarness.saveVersion(system.modelsDir(), "small", 1, OnnxModelWriter.affine(1f));
      Faults.awaitAnswer(system.apiPort(), "small", "[10.0,11.0,12.0]", Duration.ofSeconds(30));
      List<String> published =
          Faults.readAll(system.bootstrapServers(), Topics.MODEL_EVENTS).stream()
              .filter(e -> e instanceof ModelSaved)
              .map(e -> e.model() + "/" + e.version())
              .toList();
      assertEquals(List.of("small/1"), published, "nothing of big was published");
      try (Stream<Path> files = Files.walk(store)) {
        List<String> leftovers =
            files
                .map(p -> store.relativize(p).toString())
                .filter(p -> p.startsWith("big"))
                .toList();
        assertTrue(leftovers.stream().allMatch(p -> p.equals("big")), "half-written: " + leftovers);
      }
      assertEquals(404, Faults.get(system.apiPort(), "/v2/models/big/ready").statusCode());

      NativeMemory.deleteTree(system.modelsDir().resolve("big"));
      KafkaOutageTest.awaitHealth(agent, "/health", 200, "UP");
      assertEquals(1.0, Faults.gauge(agent, "modelsync_agent_store_writable"));
    } finally {
      umount(store);
    }
  }

  private static boolean mount(Path dir) throws InterruptedException {
    return run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
  }

  private static void umount(Path dir) throws InterruptedException {
    run("umount", dir.toString());
  }

  private static boolean run(String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
