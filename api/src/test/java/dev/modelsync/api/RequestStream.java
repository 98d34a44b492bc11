package dev.modelsync.api;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a fixed number of inference requests in flight against one model until stopped, and records
 * which version answered each, relative to marks the test sets (such as "v3 saved now"). Proves
 * that requests really overlapped a swap instead of finishing before it.
 */
final class RequestStream implements AutoCloseable {
  private final Semaphore slots;
  private final int inFlight;
  private final Thread sender;
  private final List<String> failures = new ArrayList<>();
  private final Map<String, AtomicInteger> answeredAfter = new ConcurrentHashMap<>();
  private final Map<String, Boolean> versionsSeen = new ConcurrentHashMap<>();
  private volatile int mark;
  private volatile boolean running = true;

  RequestStream(Harness h, Api api, String model, int inFlight) {
    this.inFlight = inFlight;
    this.slots = new Semaphore(inFlight);
    String body = Harness.inferBody(1, 2, 3, 4).encode();
    sender =
        new Thread(
            () -> {
              while (running) {
                try {
                  slots.acquire();
                } catch (InterruptedException e) {
                  return;
                }
                h.client
                    .post(api.httpPort(), "127.0.0.1", "/v2/models/" + model + "/infer")
                    .sendBuffer(Buffer.buffer(body))
                    .onComplete(
                        ar -> {
                          if (ar.failed() || ar.result().statusCode() != 200) {
                            synchronized (failures) {
                              failures.add(
                                  ar.failed()
                                      ? ar.cause().toString()
                                      : ar.result().statusCode()
                                          + " "
                                          + ar.result().bodyAsString());
                            }
                          } else {
                            String version =
                                ar.result().bodyAsJsonObject().getString("model_version");
                            versionsSeen.put(version, true);
                            answeredAfter
                                .computeIfAbsent(mark + "/" + version, k -> new AtomicInteger())
                                .incrementAndGet();
                          }
                          slots.release();
                        });
              }
            },
            "request-stream");
    sender.start();
  }

  /** Responses from here on count as "after {@code n}". */
  void mark(int n) {
    mark = n;
  }

  /** Waits until some response came from {@code version}. */
  void awaitVersion(String version) throws InterruptedException {
    Harness.eventually(
        "a streamed request answered by v" + version, () -> versionsSeen.containsKey(version));
  }

  /** How many responses from {@code version} arrived after {@link #mark}({@code n}). */
  int answeredAfterMark(int n, String version) {
    AtomicInteger count = answeredAfter.get(n + "/" + version);
    return count == null ? 0 : count.get();
  }

  /** Stops sending and waits for every request in flight to be answered. */
  void stopAndDrain() throws InterruptedException {
    running = false;
    sender.interrupt();
    sender.join(10_000);
    if (!slots.tryAcquire(inFlight, 30, TimeUnit.SECONDS)) {
      throw new AssertionError("requests still in flight 30 s after the stream stopped");
    }
  }

  List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (running) {
      stopAndDrain();
    }
  }
}
