package dev.modelsync.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
    DiskWorker disk = new DiskWorker(file, Duration.ZERO, e -> fail(e));
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

  @Test
  @DisplayName("a delayed task waits its delay, keeps its order, and runs at once on close")
  void delayedTasksRunInOrderAndAtOnceOnClose() throws Exception {
    DiskWorker disk =
        new DiskWorker(dir.resolve("state.json"), Duration.ofMillis(300), e -> fail(e));
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    long queued = System.nanoTime();
    CountDownLatch first = new CountDownLatch(1);
    disk.run(
        () -> {
          ran.add("sync 1");
          first.countDown();
        });
    assertTrue(first.await(10, TimeUnit.SECONDS));
    long waitedMs = (System.nanoTime() - queued) / 1_000_000;
    assertTrue(waitedMs >= 300, "ran before its delay, after " + waitedMs + " ms");

    DiskWorker slow = new DiskWorker(dir.resolve("state.json"), Duration.ofHours(1), e -> fail(e));
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    slow.run(() -> order.add("sync 1"));
    slow.run(() -> order.add("sync 2"));
    slow.writeState("three".getBytes(StandardCharsets.UTF_8));
    slow.close();
    assertEquals(List.of("sync 1", "sync 2"), order);
    assertEquals("three", Files.readString(dir.resolve("state.json")));
    disk.close();
    assertEquals(List.of("sync 1"), ran);
  }
}
