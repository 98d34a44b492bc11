package dev.modelsync.process;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a process in order when it is told to stop, before the JVM's shutdown hooks run.
 *
 * <p>Why not a shutdown hook alone: ONNX Runtime's Java API registers a hook of its own ({@code
 * OrtEnvironment$OrtEnvCloser}) that frees the native environment, and the JVM starts all hooks at
 * once, in no order. A session being created or run while that hook frees the environment crashes
 * the JVM (SIGSEGV in {@code libonnxruntime.so}, exit 134, an {@code hs_err} file). This project's
 * CI met it: a SIGTERM during the api's load warm-up. So SIGTERM and SIGINT (docker stop, Ctrl-C)
 * run {@code close} first, on a thread of their own, and only then exit with the status the JVM's
 * default handlers give (128 + the signal's number: 143, 130). The hook stays for every other way
 * out ({@link System#exit} elsewhere): it runs {@code close} unless it ran already.
 *
 * <p>{@code close} runs once. A second signal while it runs is logged and ignored: the first one's
 * exit follows the close.
 */
public final class OrderlyExit {
  private static final Logger LOG = LoggerFactory.getLogger(OrderlyExit.class);
  static final List<String> SIGNALS = List.of("TERM", "INT");

  /** Routes a signal by name to a handler given the signal's exit status; the JVM's by default. */
  interface SignalInstaller {
    void install(String signal, IntConsumer onSignal);
  }

  private final String name;
  private final Runnable close;
  private final IntConsumer exit;
  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  OrderlyExit(String name, Runnable close, IntConsumer exit) {
    this.name = name;
    this.close = close;
    this.exit = exit;
  }

  /**
   * Installs the signal handlers and the fallback hook for a process named {@code name}: its
   * threads are called {@code name-exit} and {@code name-shutdown}.
   */
  public static OrderlyExit install(String name, Runnable close) {
    OrderlyExit exit = new OrderlyExit(name, close, System::exit);
    exit.installSignals(OrderlyExit::jvmSignal);
    Runtime.getRuntime().addShutdownHook(new Thread(exit::closeOnce, name + "-shutdown"));
    return exit;
  }

  void installSignals(SignalInstaller installer) {
    for (String signal : SIGNALS) {
      try {
        installer.install(signal, this::onSignal);
      } catch (IllegalArgumentException | LinkageError e) {
        // another runtime or a signal taken (java -Xrs): the shutdown hook alone then, as before
        LOG.warn(
            "SIG{} is not handled by {} ({}); it stops the process through the JVM's hooks",
            signal,
            name,
            e.toString());
      }
    }
  }

  private static void jvmSignal(String signal, IntConsumer onSignal) {
    sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> onSignal.accept(128 + s.getNumber()));
  }

  /** On the JVM's signal thread: never block it; close on a thread of our own, then exit. */
  void onSignal(int status) {
    if (started.get()) {
      LOG.info("{} is stopping already", name);
      return;
    }
    Thread t =
        new Thread(
            () -> {
              closeOnce();
              exit.accept(status);
            },
            name + "-exit");
    t.start();
  }

  /** Runs {@code close} the first time; later calls wait until that run has ended. */
  void closeOnce() {
    if (started.compareAndSet(false, true)) {
      try {
        close.run();
      } catch (RuntimeException e) {
        LOG.warn("{} did not close cleanly: {}", name, e.toString());
      } finally {
        closed.countDown();
      }
      return;
    }
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
