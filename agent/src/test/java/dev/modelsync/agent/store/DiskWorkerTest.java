package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskWorkerTest {
  @TempDir Path dir;

  @Test
  @DisplayName("a state queued behind a sync is written after it, and only the newest state is")
  void stateWaitsForEarlierTasks() throws Exception {
    Path file = dir.resolve("state.json");
    DiskWorker disk = new DiskWorker(file, e -> fail(e));
    CountDownLatch syncing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    disk.run(
        () -> {
          syncing.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    syncing.await(10, TimeUnit.SECONDS);
    disk.writeState("one".getBytes(StandardCharsets.UTF_8));
    disk.writeState("two".getBytes(StandardCharsets.UTF_8));
    Thread.sleep(50);
    assertFalse(Files.exists(file), "written before the sync queued ahead of it finished");
    release.countDown();
    disk.close();
    assertEquals("two", Files.readString(file));
  }
}
