package dev.modelsync.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * Lets a test wait for a log line of the api running in this JVM: slf4j-simple writes to whatever
 * {@code System.err} is at the time of each call, so this tees it until closed. Evidence that
 * something happened (an event was refused) where no status event or counter shows it.
 */
final class LogWatch implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

  LogWatch() {
    OutputStream tee =
        new OutputStream() {
          @Override
          public void write(int b) {
            synchronized (seen) {
              seen.write(b);
            }
            original.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (seen) {
              seen.write(b, off, len);
            }
            original.write(b, off, len);
          }
        };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** Waits (up to {@link Harness#WAIT}) for a line matching {@code line}; returns it. */
  String await(String what, Predicate<String> line) throws InterruptedException {
    String[] found = new String[1];
    Harness.eventually(
        what + " in the log",
        () -> {
          String text;
          synchronized (seen) {
            text = seen.toString(StandardCharsets.UTF_8);
          }
          found[0] = text.lines().filter(line).findFirst().orElse(null);
          return found[0] != null;
        });
    return found[0];
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
