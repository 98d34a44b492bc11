package dev.modelsync.config;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class BackgroundWarmUpTest {
  private static final Option ROUNDS =
      Option.optional("MODELSYNC_TEST_WARMUP_ROUNDS", "test-warmup-rounds", "3", "test rounds");
  private static final BackgroundWarmUp.Wording WORDING =
      new BackgroundWarmUp.Wording(
          "Test warm-up", "the test path", "test rounds", "the first tests run slower");

  private final RecordingLogger log = new RecordingLogger();
  private final AtomicLong clock = new AtomicLong();

  @Test
  @DisplayName("one run per instance, on a named daemon thread; a second start gets nothing")
  void oncePerInstance() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);
    Counted first = new Counted(i -> {});
    Counted second = new Counted(i -> {});

    var firstDone = warmUp.start(3, first);
    var secondDone = warmUp.start(3, second);

    assertEquals(Optional.empty(), secondDone.get(10, SECONDS));
    assertEquals(3, firstDone.get(10, SECONDS).orElseThrow().rounds());
    assertEquals(List.of(1, 3, 1), first.counts(), "setups, rounds, closes");
    assertEquals(List.of(0, 0, 0), second.counts(), "the second one never ran");
    assertEquals("test-warmup", first.thread.getName());
    assertTrue(first.thread.isDaemon());
    assertEquals(1, log.lines.size(), log.lines.toString());
    assertTrue(
        log.lines
            .get(0)
            .matches(
                "Warmed the test path up: 3 test rounds in \\d+ ms,"
                    + " the last ones \\d+\\.\\d\\d ms each \\(median\\)"),
        log.lines.get(0));
  }

  @Test
  @DisplayName("0 rounds: nothing runs and the guard stays free; another instance runs again")
  void zeroDoesNotTakeTheGuard() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);

    assertEquals(Optional.empty(), warmUp.start(0, new Counted(i -> {})).get(10, SECONDS));
    assertEquals(2, warmUp.start(2, new Counted(i -> {})).get(10, SECONDS).orElseThrow().rounds());
    BackgroundWarmUp other = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);
    assertEquals(1, other.start(1, new Counted(i -> {})).get(10, SECONDS).orElseThrow().rounds());
  }

  @Test
  @DisplayName("the deadline ends it: a million rounds of 10 ms asked, 1 s makes 100, then close")
  void deadlineStopsRounds() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);
    Counted rounds = new Counted(i -> clock.addAndGet(ms(10)));

    BackgroundWarmUp.Outcome o = warmUp.run(rounds, 1_000_000, Duration.ofSeconds(1), clock::get);

    assertEquals(new BackgroundWarmUp.Outcome(100, 1000, 10.0), o);
    assertEquals(List.of(1, 100, 1), rounds.counts(), "setups, rounds, closes");
  }

  @Test
  @DisplayName("the median is over the last rounds of the window only, or all when there are fewer")
  void medianOverTheWindow() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 5, WORDING);
    // round i takes i+1 ms: 1, 2, ..., 12
    IntConsumer growing = i -> clock.addAndGet(ms(i + 1));

    var twelve = warmUp.run(new Counted(growing), 12, Duration.ofSeconds(60), clock::get);
    var three = warmUp.run(new Counted(growing), 3, Duration.ofSeconds(60), clock::get);
    var none = warmUp.run(new Counted(growing), 5, Duration.ZERO, clock::get);

    assertEquals(10.0, twelve.lastMedianMs(), "the median of 8..12 ms: " + twelve);
    assertEquals(2.0, three.lastMedianMs(), "the median of 1..3 ms: " + three);
    assertEquals(0, none.rounds());
    assertTrue(Double.isNaN(none.lastMedianMs()), none.toString());
  }

  @Test
  @DisplayName("a failure ends it with one line naming the option that turns it off, and closes")
  void skipLineNamesTheOption() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);
    Counted failing = new Counted(i -> {});
    failing.setupFails = new IllegalStateException("no broker");

    assertEquals(Optional.empty(), warmUp.start(3, failing).get(10, SECONDS));

    assertEquals(
        List.of(
            "Test warm-up skipped (java.lang.IllegalStateException: no broker): the first tests"
                + " run slower; MODELSYNC_TEST_WARMUP_ROUNDS=0 turns it off"),
        log.lines);
    assertEquals(List.of(1, 0, 1), failing.counts(), "setups, rounds, closes");
  }

  @Test
  @DisplayName(
      "stop ends the rounds after the one under way, waits for the thread, closes, says so;"
          + " nothing starts after")
  void stopEndsTheRoundsAndWaits() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);
    CountDownLatch inRound = new CountDownLatch(1);
    AtomicBoolean roundEnded = new AtomicBoolean();
    Counted rounds =
        new Counted(
            i -> {
              inRound.countDown();
              sleep(20);
              roundEnded.set(true);
            });
    var done = warmUp.start(1_000_000, rounds);
    assertTrue(inRound.await(10, SECONDS));

    assertTrue(warmUp.stop(Duration.ofSeconds(10)), "the thread ended within the wait");

    assertTrue(roundEnded.get(), "the round under way ran to its end");
    assertTrue(done.isDone(), "the outcome is known when stop returns");
    int made = done.get().orElseThrow().rounds();
    assertTrue(made >= 1 && made < 1_000_000, "rounds " + made);
    assertEquals(List.of(1, made, 1), rounds.counts(), "setups, rounds, closes");
    assertEquals(
        List.of("Test warm-up stopped after " + made + " rounds: the process is stopping"),
        log.lines);
    Counted later = new Counted(i -> {});
    assertEquals(Optional.empty(), warmUp.start(3, later).get(10, SECONDS));
    assertEquals(List.of(0, 0, 0), later.counts(), "no warm-up starts once stopped");
  }

  @Test
  @DisplayName("a setup that waits (no broker yet) is interrupted once half the wait is over")
  void stopInterruptsAWaitingSetup() throws Exception {
    BackgroundWarmUp warmUp = new BackgroundWarmUp(log, "test-warmup", ROUNDS, 10, WORDING);
    CountDownLatch waiting = new CountDownLatch(1);
    Counted rounds =
        new Counted(i -> {}) {
          @Override
          public void setup(long deadlineNanos) throws Exception {
            super.setup(deadlineNanos);
            waiting.countDown();
            Thread.sleep(60_000);
          }
        };
    var done = warmUp.start(3, rounds);
    assertTrue(waiting.await(10, SECONDS));

    assertTrue(warmUp.stop(Duration.ofMillis(400)));

    assertEquals(Optional.empty(), done.get(1, SECONDS));
    assertEquals(List.of(1, 0, 1), rounds.counts(), "setups, rounds, closes");
    assertEquals(
        List.of(
            "Test warm-up stopped (java.lang.InterruptedException: sleep interrupted): the process"
                + " is stopping"),
        log.lines);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Counts what the warm-up calls; each round runs {@code onRound} with its index. */
  private static class Counted implements BackgroundWarmUp.Rounds {
    private final IntConsumer onRound;
    private final AtomicInteger setups = new AtomicInteger();
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    volatile Exception setupFails;
    volatile Thread thread;

    Counted(IntConsumer onRound) {
      this.onRound = onRound;
    }

    List<Integer> counts() {
      return List.of(setups.get(), rounds.get(), closes.get());
    }

    @Override
    public void setup(long deadlineNanos) throws Exception {
      setups.incrementAndGet();
      thread = Thread.currentThread();
      if (setupFails != null) {
        throw setupFails;
      }
    }

    @Override
    public void round() {
      onRound.accept(rounds.getAndIncrement());
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  /** Keeps the INFO lines it is given, formatted as a backend would. */
  private static final class RecordingLogger extends LegacyAbstractLogger {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
      if (level == Level.INFO) {
        lines.add(MessageFormatter.basicArrayFormat(pattern, args));
      }
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }
}
