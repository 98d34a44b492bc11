package dev.modelsync.api.catalog;

import dev.modelsync.api.engine.LoadedModel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded version and the one place its lifetime is decided. Every request holds a lease while it
 * runs on the version; the catalog holds one more reference until it retires the version. When the
 * count reaches zero the model is closed on the closer executor (never on the thread that released
 * it, which may be an event loop), and no lease can be taken any more.
 */
public final class ServedVersion {
  private static final Logger LOG = LoggerFactory.getLogger(ServedVersion.class);

  private final String model;
  private final long version;
  private final String digest;
  private final LoadedModel loaded;
  private final Object meters;
  private final Executor closer;

  /** Leases plus one for the catalog while not retired; 0 = closing or closed. */
  private final AtomicInteger refs = new AtomicInteger(1);

  private final AtomicBoolean retired = new AtomicBoolean();
  private volatile boolean closed;
  private volatile RolloutTap tap;

  /**
   * @param meters per-version meters the HTTP layer records into (kept opaque here)
   * @param closer runs {@link LoadedModel#close()} once the last lease is released
   */
  public ServedVersion(
      String model,
      long version,
      String digest,
      LoadedModel loaded,
      Object meters,
      Executor closer) {
    this.model = model;
    this.version = version;
    this.digest = digest;
    this.loaded = loaded;
    this.meters = meters;
    this.closer = closer;
  }

  /** Takes a lease; false once the version is retired and drained (then look it up again). */
  public boolean tryAcquire() {
    for (; ; ) {
      int c = refs.get();
      if (c <= 0) {
        return false;
      }
      if (refs.compareAndSet(c, c + 1)) {
        return true;
      }
    }
  }

  /** Ends a lease taken with {@link #tryAcquire()}. */
  public void release() {
    int left = refs.decrementAndGet();
    if (left == 0) {
      try {
        closer.execute(this::closeNow);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        closeNow(); // the server is shutting down: nothing else to wait for
      }
    } else if (left < 0) {
      // (PIT: "<= 0" is equivalent: 0 took the branch above)
      throw new IllegalStateException("lease released twice on " + this);
    }
  }

  /**
   * Drops the catalog's reference: no new request should find this version, and it closes once the
   * requests still running on it finish. Idempotent.
   */
  public void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }

  private void closeNow() {
    try {
      loaded.close();
      LOG.debug("Closed model {} version {} ({})", model, version, digest);
    } catch (RuntimeException e) {
      LOG.warn("Closing model {} version {} failed: {}", model, version, e.toString());
    } finally {
      closed = true;
    }
  }

  /** Requests running on this version now. */
  public int leases() {
    int c = refs.get();
    return retired.get() ? Math.max(c, 0) : c - 1;
  }

  /** The rollout watching this version's requests, or null (read once per request). */
  public RolloutTap tap() {
    return tap;
  }

  /** Sets or, with null, clears the rollout watching this version. */
  public void tap(RolloutTap tap) {
    this.tap = tap;
  }

  public boolean isClosed() {
    return closed;
  }

  public String model() {
    return model;
  }

  public long version() {
    return version;
  }

  public String digest() {
    return digest;
  }

  public LoadedModel loaded() {
    return loaded;
  }

  @SuppressWarnings("unchecked")
  public <T> T meters() {
    return (T) meters;
  }

  @Override
  public String toString() {
    return model + "/" + version + " (" + digest + ")";
  }
}
