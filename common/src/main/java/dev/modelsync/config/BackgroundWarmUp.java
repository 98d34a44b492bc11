package dev.modelsync.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warm-up that runs a path many times at start so that the first real uses of it run compiled
 * code ({@code KafkaWarmUp}, {@code LoadWarmUp}). Each instance runs at most once, on a daemon
 * thread of its own, within {@link #BUDGET}, and never delays start-up: it ends with one log line,
 * what it did or why it was skipped, the latter naming the option that turns it off.
 */
public final class BackgroundWarmUp {
  /** How long a warm-up may take at most, from setup to the end of its last round. */
  static final Duration BUDGET = Duration.ofSeconds(60);

  /** What a warm-up did: rounds made, how long, the median of the last ones (the window). */
  public record Outcome(int rounds, long millis, double lastMedianMs) {}

  /** The work of one warm-up: set up once, run round by round (each one timed), closed. */
  public interface Rounds extends AutoCloseable {
    /**
     * Before the first round, e.g. opens clients; may wait until {@code deadlineNanos} (in {@link
     * System#nanoTime()} terms) for something that is not up yet.
     */
    void setup(long deadlineNanos) throws Exception;

    /** One round; its time counts toward the median. */
    void round() throws Exception;

    /** After the last round, or after setup or a round failed: releases what setup made. */
    @Override
    void close() throws Exception;
  }

  /**
   * How a warm-up names itself in its log lines: "Warmed {@code path} up: N {@code unit} in M ms,
   * the last ones X ms each (median)" and "{@code name} skipped (error): {@code cost}; OPTION=0
   * turns it off".
   */
  public record Wording(String name, String path, String unit, String cost) {}

  private final Logger log;
  private final String threadName;
  private final Option option;
  private final int window;
  private final Wording wording;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile Thread thread;

  /**
   * @param log the logger of the warm-up's own class, which its lines come from
   * @param option the setting that gives the number of rounds, named in the skip line
   * @param window how many of the last rounds the median is taken over
   */
  public BackgroundWarmUp(
      Logger log, String threadName, Option option, int window, Wording wording) {
    this.log = log;
    this.threadName = threadName;
    this.option = option;
    this.window = window;
    this.wording = wording;
  }

  /**
   * Starts {@code rounds} on a daemon thread, unless {@code count} is 0 or this warm-up has started
   * already; returns at once.
   *
   * @return completed with what the warm-up did, or empty when it did not run or failed
   */
  public CompletableFuture<Optional<Outcome>> start(int count, Rounds rounds) {
    CompletableFuture<Optional<Outcome>> done = new CompletableFuture<>();
    if (count <= 0 || !started.compareAndSet(false, true)) {
      done.complete(Optional.empty());
      return done;
    }
    Thread t = new Thread(() -> done.complete(runAndLog(count, rounds)), threadName);
    t.setDaemon(true);
    thread = t;
    t.start();
    return done;
  }

  /**
   * Ends the warm-up after the round under way and waits for its thread, at most {@code wait}. A
   * process calls this before it closes: a daemon thread still inside a native library (ONNX
   * Runtime's session creation) while the JVM's shutdown hooks free that library's state crashes
   * the process (SIGSEGV, exit 134). No later {@link #start} runs.
   *
   * @return false when the thread was still running after {@code wait}
   */
  public boolean stop(Duration wait) throws InterruptedException {
    stopping = true;
    started.set(true);
    Thread t = thread;
    if (t == null) {
      return true;
    }
    // a round is a load or a round trip, milliseconds; a setup may wait for a broker: interrupt it
    t.join(Math.max(1, wait.toMillis() / 2));
    if (t.isAlive()) {
      t.interrupt();
      t.join(Math.max(1, wait.toMillis() / 2));
    }
    return !t.isAlive();
  }

  private Optional<Outcome> runAndLog(int count, Rounds rounds) {
    try {
      Outcome o = run(rounds, count, BUDGET);
      if (stopping && o.rounds() < count) {
        log.info("{} stopped after {} rounds: the process is stopping", wording.name(), o.rounds());
        return Optional.of(o);
      }
      log.info(
          "Warmed {} up: {} {} in {} ms, the last ones {} ms each (median)",
          wording.path(),
          o.rounds(),
          wording.unit(),
          o.millis(),
          String.format(Locale.ROOT, "%.2f", o.lastMedianMs()));
      return Optional.of(o);
    } catch (Exception e) {
      if (stopping) {
        log.info("{} stopped ({}): the process is stopping", wording.name(), e.toString());
        return Optional.empty();
      }
      log.info(
          "{} skipped ({}): {}; {}=0 turns it off",
          wording.name(),
          e.toString(),
          wording.cost(),
          option.env());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Optional.empty();
    }
  }

  /** Blocking: sets up, then at most {@code count} rounds, fewer if the budget runs out; closes. */
  public Outcome run(Rounds rounds, int count, Duration budget) throws Exception {
    return run(rounds, count, budget, System::nanoTime);
  }

  Outcome run(Rounds rounds, int count, Duration budget, LongSupplier clock) throws Exception {
    long started = clock.getAsLong();
    long deadline = started + budget.toNanos();
    double[] last = new double[Math.max(1, Math.min(window, count))];
    int done = 0;
    if (stopping) {
      return new Outcome(0, 0, Double.NaN);
    }
    try (rounds) {
      rounds.setup(deadline);
      while (done < count && !stopping && clock.getAsLong() - deadline < 0) {
        long begin = clock.getAsLong();
        rounds.round();
        last[done % last.length] = (clock.getAsLong() - begin) / 1e6;
        done++;
      }
    }
    double[] tail = Arrays.copyOf(last, Math.min(done, last.length));
    Arrays.sort(tail);
    return new Outcome(
        done,
        (clock.getAsLong() - started) / 1_000_000,
        tail.length == 0 ? Double.NaN : tail[tail.length / 2]);
  }
}
