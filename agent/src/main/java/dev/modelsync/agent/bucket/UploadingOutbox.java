package dev.modelsync.agent.bucket;

import dev.modelsync.agent.publish.Outbox;
import dev.modelsync.events.ArtifactPathException;
import dev.modelsync.events.ArtifactPaths;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ObjectLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the bucket upload in front of the publisher: a {@code model.saved} goes on, naming its
 * object location, only once the version is uploaded completely. Events keep their order, one
 * thread does the uploads, and a failed upload is retried with backoff until it works: while the
 * bucket is away every later event waits behind it, so none is lost or overtakes it. An event still
 * waiting when the agent stops was never acknowledged, so the ledger publishes it again on the next
 * start, as it does after a Kafka outage.
 */
public final class UploadingOutbox implements Outbox, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UploadingOutbox.class);

  /** What the outbox reports, on its own thread. */
  public interface Listener {
    void uploaded(ModelSaved saved, ObjectLocation location, long nanos);

    void failed(ModelSaved saved, Exception error, int attempts, long retryInMs);
  }

  /**
   * Backoff between attempts: {@code firstMs} doubled per failure up to {@code maxMs}.
   *
   * @param firstMs wait after the first failure
   * @param maxMs the longest wait
   */
  public record Backoff(long firstMs, long maxMs) {
    public static final Backoff DEFAULT = new Backoff(500, 30_000);

    long after(int failures) {
      return Math.min(maxMs, firstMs << Math.min(failures - 1, 20));
    }
  }

  private final Uploader uploader;
  private final Path storeDir;
  private final Outbox next;
  private final Listener listener;
  private final Backoff backoff;
  private final BlockingQueue<ModelEvent> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile Optional<String> failing = Optional.empty();
  private final Thread thread;

  public UploadingOutbox(
      Uploader uploader, Path storeDir, Outbox next, Listener listener, Backoff backoff) {
    this.uploader = uploader;
    this.storeDir = storeDir;
    this.next = next;
    this.listener = listener;
    this.backoff = backoff;
    this.thread = new Thread(this::run, "modelsync-agent-upload");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void submit(ModelEvent event) {
    waiting.incrementAndGet();
    queue.add(event);
  }

  /** Events waiting for an upload (theirs or one before them). */
  public int waiting() {
    return waiting.get();
  }

  /** Why uploads fail now, for /health; empty while the bucket takes them. */
  public Optional<String> failing() {
    return failing;
  }

  private void run() {
    try {
      while (true) {
        ModelEvent event = queue.take();
        if (event instanceof ModelSaved saved) {
          event = uploaded(saved);
        }
        next.submit(event);
        waiting.decrementAndGet();
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  /** Uploads until it works; the event naming where the version now is. */
  private ModelSaved uploaded(ModelSaved saved) throws InterruptedException {
    for (int failures = 1; ; failures++) {
      long started = System.nanoTime();
      try {
        Path dir = ArtifactPaths.resolve(storeDir, saved);
        ObjectLocation location = uploader.upload(saved, dir);
        failing = Optional.empty();
        listener.uploaded(saved, location, System.nanoTime() - started);
        return saved.withObjectLocation(location.toString());
      } catch (IOException | ArtifactPathException | RuntimeException e) {
        long retryIn = backoff.after(failures);
        failing =
            Optional.of(
                "bucket upload of model "
                    + saved.model()
                    + " version "
                    + saved.version()
                    + " failing ("
                    + failures
                    + (failures == 1 ? " attempt" : " attempts")
                    + ", "
                    + waiting.get()
                    + " events waiting): "
                    + e.getMessage());
        listener.failed(saved, e, failures, retryIn);
        Thread.sleep(retryIn);
      }
    }
  }

  /** Stops uploading; events still waiting are published again after the next start. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!queue.isEmpty()) {
      LOG.info("{} events wait for the bucket; they are published after the next start", waiting);
    }
  }
}
