package dev.modelsync.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Answers a request that is not answered within the configured time: 408 when its body has not
 * fully arrived (a slow or stalled client; the connection is closed), else 503 (inference or a load
 * took too long). Work still running finishes in the background and its answer is dropped.
 *
 * <p>No timer per request: requests are noted with their deadline, and a sweep on the event loop
 * (every tenth of the timeout, 10–100 ms) drops the answered ones and answers the overdue ones. One
 * instance serves one event loop, which is the only thread that touches it.
 */
final class RequestTimeout {
  private record Pending(HttpServerRequest req, long deadlineNanos) {}

  private final Vertx vertx;
  private final long millis;
  private final long sweepMs;
  private List<Pending> pending = new ArrayList<>();
  private List<Pending> spare = new ArrayList<>();
  private boolean sweeping;

  RequestTimeout(Vertx vertx, long millis) {
    this.vertx = vertx;
    this.millis = millis;
    this.sweepMs = Math.max(10, Math.min(100, millis / 10));
  }

  /** Watches a request that skips the router, until it is answered. */
  void arm(HttpServerRequest req) {
    if (!sweeping) {
      // started from the event loop that serves the requests, so the sweep runs on it too
      sweeping = true;
      vertx.setPeriodic(sweepMs, id -> sweep());
    }
    pending.add(new Pending(req, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis)));
  }

  /** The router's first handler: watches every routed request. */
  void handle(RoutingContext ctx) {
    arm(ctx.request());
    ctx.next();
  }

  private void sweep() {
    if (pending.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<Pending> current = pending;
    pending = spare;
    for (Pending p : current) {
      HttpServerRequest req = p.req();
      if (req.response().ended() || req.response().closed()) {
        continue;
      }
      if (now - p.deadlineNanos() >= 0) {
        expire(req);
      } else {
        pending.add(p);
      }
    }
    current.clear();
    spare = current;
  }

  private void expire(HttpServerRequest req) {
    if (!req.isEnded()) {
      // the rest of the body may never come: answer, then drop the connection
      req.response().putHeader("connection", "close");
      HttpErrors.reply(
          req.response(),
          408,
          "the request body did not arrive within "
              + millis
              + " ms (MODELSYNC_REQUEST_TIMEOUT_MS)");
      req.connection().close();
    } else {
      HttpErrors.reply(
          req.response(),
          503,
          "the request was not answered within " + millis + " ms (MODELSYNC_REQUEST_TIMEOUT_MS)");
    }
  }
}
