package dev.modelsync.api.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServedVersionTest {

  @Test
  @DisplayName("a retired version closes only when its last lease is released, exactly once")
  void closesWhenDrained() {
    FakeModel model = new FakeModel();
    ServedVersion v = FakeModel.version("m", 1, model);
    assertTrue(v.tryAcquire());
    assertTrue(v.tryAcquire());
    assertEquals(2, v.leases());
    v.retire();
    v.retire();
    assertEquals(0, model.closes.get(), "still leased");
    v.release();
    assertEquals(0, model.closes.get(), "one lease left");
    v.release();
    assertEquals(1, model.closes.get());
    assertTrue(v.isClosed());
    assertFalse(v.tryAcquire(), "no lease on a closed version");
  }

  @Test
  @DisplayName("retiring an idle version closes it at once; a second release is an error")
  void idleRetire() {
    FakeModel model = new FakeModel();
    ServedVersion v = FakeModel.version("m", 1, model);
    assertTrue(v.tryAcquire());
    v.release();
    assertEquals(0, model.closes.get(), "the catalog still holds it");
    v.retire();
    assertEquals(1, model.closes.get());
    assertThrows(IllegalStateException.class, v::release);
  }

  @Test
  @DisplayName("racing leases and a retire never close a version that is in use")
  void raceNeverClosesInUse() throws Exception {
    for (int round = 0; round < 200; round++) {
      FakeModel model = new FakeModel();
      ServedVersion v = FakeModel.version("m", 1, model);
      AtomicInteger misuse = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  for (int i = 0; i < 200; i++) {
                    if (v.tryAcquire()) {
                      if (v.isClosed()) {
                        misuse.incrementAndGet();
                      }
                      v.release();
                    }
                  }
                });
        thread.start();
        threads.add(thread);
      }
      go.countDown();
      v.retire();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertEquals(0, misuse.get());
      assertEquals(1, model.closes.get());
    }
  }

  @Test
  @DisplayName("a second release names the version as model/version (digest)")
  void releasedTwiceNamesVersion() {
    ServedVersion v = FakeModel.version("resnet", 7, new FakeModel());
    v.retire();
    var e = assertThrows(IllegalStateException.class, v::release);
    assertEquals("lease released twice on resnet/7 (sha256:7)", e.getMessage());
    assertEquals("resnet/7 (sha256:7)", v.toString());
  }

  @Test
  @DisplayName(
      "when the closer refuses work (shutting down) the last release closes the model itself")
  void closesInlineWhenCloserRejects() {
    FakeModel model = new FakeModel();
    ServedVersion v =
        new ServedVersion(
            "m",
            1,
            "sha256:1",
            model,
            null,
            r -> {
              throw new RejectedExecutionException("shut down");
            });
    v.retire();
    assertEquals(1, model.closes.get());
    assertTrue(v.isClosed());
  }

  @Test
  @DisplayName("a version hands back what it was built with, and the rollout tap set on it")
  void accessors() {
    FakeModel model = new FakeModel();
    Object meters = new Object();
    ServedVersion v = new ServedVersion("m", 42, "sha256:ab", model, meters, Runnable::run);
    assertEquals("m", v.model());
    assertEquals(42, v.version());
    assertEquals("sha256:ab", v.digest());
    assertSame(model, v.loaded());
    assertSame(meters, v.meters());
    assertNull(v.tap());
    RolloutTap tap = new RolloutTap() {};
    v.tap(tap);
    assertSame(tap, v.tap());
    v.tap(null);
    assertNull(v.tap());
  }
}
