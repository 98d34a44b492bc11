package dev.modelsync.process;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OrderlyExitTest {
  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final CountDownLatch exited = new CountDownLatch(1);
  private final Map<String, IntConsumer> handlers = new LinkedHashMap<>();

  private OrderlyExit exit(Runnable close) {
    OrderlyExit exit =
        new OrderlyExit(
            "test",
            close,
            status -> {
              steps.add("exit " + status);
              exited.countDown();
            });
    exit.installSignals(handlers::put);
    return exit;
  }

  @Test
  @DisplayName("SIGTERM and SIGINT are taken; a signal closes on a thread of its own, then exits")
  void signalClosesThenExits() throws Exception {
    List<String> closedOn = new ArrayList<>();
    OrderlyExit exit =
        exit(
            () -> {
              closedOn.add(Thread.currentThread().getName());
              steps.add("close");
            });
    assertEquals(List.of("TERM", "INT"), List.copyOf(handlers.keySet()));

    handlers.get("TERM").accept(143);

    assertTrue(exited.await(10, SECONDS));
    assertEquals(List.of("close", "exit 143"), steps, "close ends before the JVM's hooks start");
    assertEquals(List.of("test-exit"), closedOn);
    exit.closeOnce(); // the fallback hook, as System.exit then runs it
    assertEquals(List.of("close", "exit 143"), steps, "close runs once");
  }

  @Test
  @DisplayName(
      "a second signal while closing is ignored: one close, one exit, with the first status")
  void secondSignalWhileClosing() throws Exception {
    CountDownLatch closing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    exit(
        () -> {
          closing.countDown();
          await(release);
          steps.add("close");
        });

    handlers.get("INT").accept(130);
    assertTrue(closing.await(10, SECONDS));
    handlers.get("TERM").accept(143);
    release.countDown();

    assertTrue(exited.await(10, SECONDS));
    Thread.sleep(100);
    assertEquals(List.of("close", "exit 130"), steps);
  }

  @Test
  @DisplayName("the hook waits for a close the signal started, and never closes twice")
  void hookWaitsForTheSignalsClose() throws Exception {
    CountDownLatch closing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    OrderlyExit exit =
        exit(
            () -> {
              closing.countDown();
              await(release);
              steps.add("close");
            });
    handlers.get("TERM").accept(143);
    assertTrue(closing.await(10, SECONDS));

    Thread hook = new Thread(() -> exit.closeOnce());
    hook.start();
    hook.join(200);
    assertTrue(hook.isAlive(), "the hook waits while close runs");
    release.countDown();
    hook.join(10_000);

    assertTrue(exited.await(10, SECONDS));
    assertEquals(List.of("close", "exit 143"), steps);
  }

  @Test
  @DisplayName("a signal that cannot be taken is left to the JVM; the others are still taken")
  void signalThatCannotBeTaken() {
    OrderlyExit exit = new OrderlyExit("test", () -> {}, status -> {});
    exit.installSignals(
        (signal, onSignal) -> {
          if (signal.equals("TERM")) {
            throw new IllegalArgumentException("Signal already used by VM or OS: SIGTERM");
          }
          handlers.put(signal, onSignal);
        });

    assertEquals(List.of("INT"), List.copyOf(handlers.keySet()));
  }

  @Test
  @DisplayName("a close that throws still lets the process exit, and the hook does not hang")
  void failingClose() throws Exception {
    OrderlyExit exit =
        exit(
            () -> {
              throw new IllegalStateException("broker gone");
            });

    handlers.get("TERM").accept(143);

    assertTrue(exited.await(10, SECONDS));
    exit.closeOnce();
    assertEquals(List.of("exit 143"), steps);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, SECONDS);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
