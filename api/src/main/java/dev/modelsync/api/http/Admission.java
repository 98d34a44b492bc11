package dev.modelsync.api.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits an inference request before its body is read (a gRPC message before it is decoded): it
 * takes one of {@code MODELSYNC_MAX_IN_FLIGHT} slots, and its announced body must fit in what is
 * left of {@code MODELSYNC_MAX_BUFFERED_BYTES}. Bytes are charged to the budget as they arrive, not
 * as announced: a client announcing 16 MB and sending nothing holds a slot (until the request
 * timeout answers 408) but no memory and no budget, so it cannot crowd out honest requests by
 * lying. Past either limit a request is refused at once with 503 (gRPC: RESOURCE_EXHAUSTED). The
 * counters are shared by every HTTP and gRPC instance and released when the request's work
 * completes.
 */
public final class Admission {
  private final AtomicInteger inFlight;
  private final AtomicLong bytes;
  private final int maxInFlight;
  private final long maxBytes;

  public Admission(AtomicInteger inFlight, AtomicLong bytes, int maxInFlight, long maxBytes) {
    this.inFlight = inFlight;
    this.bytes = bytes;
    this.maxInFlight = maxInFlight;
    this.maxBytes = maxBytes;
  }

  /** The admission over the server's shared counters and limits. */
  public static Admission of(Services services) {
    return new Admission(
        services.metrics().inFlight(),
        services.metrics().bodyBytes(),
        services.maxInFlight(),
        services.maxBufferedBytes());
  }

  /** A ticket for a request announcing {@code announced} body bytes (-1 if unknown), or a 503. */
  Ticket admit(long announced) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      throw ApiError.overloaded(
          "overloaded: "
              + maxInFlight
              + " inference requests in flight (MODELSYNC_MAX_IN_FLIGHT); retry shortly");
    }
    // (PIT: "> 0" as ">= 0" is equivalent: the budget is never over, so 0 more never exceeds it)
    if (announced > 0 && bytes.get() + announced > maxBytes) {
      inFlight.decrementAndGet();
      throw overBudget();
    }
    return new Ticket();
  }

  /**
   * A ticket for a request whose {@code received} bytes are already in memory (a gRPC message,
   * which Vert.x gathers whole before handing it over), charged to it; or a 503 that counts as
   * overloaded.
   */
  public Ticket admitReceived(long received) {
    Ticket ticket = admit(-1); // a slot only: the bytes are checked and charged in one step below
    if (!ticket.cover(received)) {
      ticket.release();
      throw overBudget();
    }
    return ticket;
  }

  ApiError overBudget() {
    return ApiError.overloaded(
        "overloaded: request bodies of "
            + maxBytes
            + " bytes are being received or processed (MODELSYNC_MAX_BUFFERED_BYTES); retry"
            + " shortly");
  }

  /** One admitted request: its slot and the body bytes charged to it, released once. */
  public final class Ticket {
    private long charged;
    private boolean released;
    private boolean submitted;

    /** From now on only the job's completion releases the ticket. */
    synchronized void submitted() {
      submitted = true;
    }

    /** Releases a ticket whose request ended or closed before it reached the inference threads. */
    synchronized void releaseUnlessSubmitted() {
      if (!submitted) {
        release();
      }
    }

    /** Charges up to {@code total} body bytes; false (nothing more charged) past the budget. */
    public synchronized boolean cover(long total) {
      long more = total - charged;
      // (PIT: "<= 0" as "< 0" is equivalent: charging 0 more changes nothing)
      if (more <= 0 || released) {
        return !released;
      }
      if (bytes.addAndGet(more) > maxBytes) {
        bytes.addAndGet(-more);
        return false;
      }
      charged = total;
      return true;
    }

    public synchronized void release() {
      if (!released) {
        released = true;
        bytes.addAndGet(-charged);
        inFlight.decrementAndGet();
      }
    }
  }
}
