package dev.modelsync.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request that is not answered within the configured time: 408 when its body has not
 * fully arrived (a slow or stalled client; the connection is closed), else 503 (inference or a load
 * took too long). Work still running finishes in the background and its answer is dropped.
 */
final class RequestTimeout {
  private final Vertx vertx;
  private final long millis;

  RequestTimeout(Vertx vertx, long millis) {
    this.vertx = vertx;
    this.millis = millis;
  }

  /** Arms the timer of a request that skips the router; it is cancelled when the answer ends. */
  void arm(HttpServerRequest req) {
    long timer = vertx.setTimer(millis, id -> expire(req));
    req.response().endHandler(v -> vertx.cancelTimer(timer));
  }

  /** The router's first handler: arms the timer for every routed request. */
  void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    long timer = vertx.setTimer(millis, id -> expire(req));
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
    ctx.next();
  }

  private void expire(HttpServerRequest req) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
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
