package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.Topics;
import dev.modelsync.kafka.EmbeddedKafka;
import dev.modelsync.onnx.OnnxModelWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotCrashIT {
  private static final long BIG = 512L << 20;

  @Test
  @DisplayName(
      "the agent is killed -9 in the middle of copying a 512 MB file into the store: nothing is"
          + " announced, and the next agent publishes the version once, complete")
  void killedMidCopy(@TempDir Path dir) throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Path store = dir.resolve("store");
    Path source = writeVersion(models, "big", 1);
    String sourceDigest = Digests.ofDirectory(source);
    try (var kafka = EmbeddedKafka.at(dir.resolve("kafka"), 0).start();
        var events = Faults.reader(kafka.bootstrapServers(), Topics.MODEL_EVENTS)) {
      int port = ChildJvm.freePort();
      Map<String, String> env =
          Map.of(
              "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
              "MODELSYNC_MODELS_DIR", models.toString(),
              "MODELSYNC_STORE_DIR", store.toString(),
              "MODELSYNC_AGENT_PORT", Integer.toString(port));
      Path log = dir.resolve("agent.log");
      ChildJvm agent = new ChildJvm(ChildJvm.AGENT_JAR, env, log);
      try {
        // the agent finds the version at start and copies it: kill it once the copy is partway
        long[] copied = {0};
        Faults.await(
            Duration.ofSeconds(120),
            "the agent copying big/1 into the store",
            () -> (copied[0] = stagedBytes(store.resolve("big"))) > 0);
        agent.kill();
        long atKill = stagedBytes(store.resolve("big"));
        assertTrue(
            atKill > 0 && atKill < BIG,
            "killed mid-copy: "
                + atKill
                + " of "
                + BIG
                + " bytes staged (first seen "
                + copied[0]
                + ")");
        assertFalse(Files.exists(store.resolve("big").resolve("1")), "no half version in place");
        assertEquals(
            List.of(),
            AgentCrashIT.saved(events.readToEnd(Faults.READ), "big"),
            "nothing announced");

        agent = new ChildJvm(ChildJvm.AGENT_JAR, env, log);
        AgentCrashIT.awaitUp(port, agent);
        AgentCrashIT.awaitSettled(port, "big/1", "published as version 1");
        List<ModelSaved> saved = AgentCrashIT.saved(events.readToEnd(Faults.READ), "big");
        assertEquals(1, saved.size(), "published once: " + saved);
        ModelSaved v1 = saved.get(0);
        assertEquals(sourceDigest, v1.digest());
        assertEquals(Files.size(source.resolve("model.onnx")) + BIG, v1.size());
        assertEquals(sourceDigest, Digests.ofDirectory(store.resolve("big").resolve("1")));
        try (Stream<Path> left = Files.list(store.resolve("big"))) {
          assertEquals(
              List.of("1"), left.map(p -> p.getFileName().toString()).toList(), "no leftovers");
        }
      } finally {
        agent.kill();
      }
    }
  }

  /** models/big/1 with a small model.onnx and a 512 MB weights file, renamed into place. */
  private static Path writeVersion(Path models, String model, long version) throws IOException {
    Path tmp = Files.createDirectories(models.resolve(model).resolve(".tmp-write"));
    Files.write(tmp.resolve("model.onnx"), OnnxModelWriter.affine(1f));
    ByteBuffer block = ByteBuffer.allocate(1 << 20);
    try (FileChannel out =
        FileChannel.open(
            tmp.resolve("weights.bin"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long i = 0; i < BIG >> 20; i++) {
        block.clear();
        block.putLong(0, i); // every block differs, so a misplaced block changes the digest
        while (block.hasRemaining()) {
          out.write(block);
        }
      }
    }
    return Files.move(
        tmp, models.resolve(model).resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Bytes in the agent's hidden staging copies under a model's store directory. */
  private static long stagedBytes(Path modelStore) {
    if (!Files.isDirectory(modelStore)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(modelStore)) {
      return files
          .filter(p -> p.toString().contains("/.tmp-") && Files.isRegularFile(p))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // renamed or removed meanwhile
                }
              })
          .sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }
}
