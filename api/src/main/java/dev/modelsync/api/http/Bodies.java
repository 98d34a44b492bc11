package dev.modelsync.api.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Request bodies of inference: admitted against the in-flight and byte budgets before they are read
 * ({@link Admission}), then read into buffers that grow as bytes arrive, within {@code
 * MODELSYNC_MAX_BODY_BYTES}.
 */
final class Bodies {
  private final Services services;
  private final Admission admission;

  Bodies(Services services) {
    this.services = services;
    this.admission = Admission.of(services);
  }

  /**
   * Admits a request before its body is read, or answers 503 and returns null. The caller releases
   * the ticket when the request ends without reaching the inference threads (refused, timed out,
   * connection lost); otherwise its job's completion does.
   */
  Admission.Ticket admit(HttpServerRequest req) {
    Admission.Ticket ticket;
    try {
      ticket = admission.admit(contentLength(req));
    } catch (ApiError e) {
      refuse(req, e);
      return null;
    }
    return ticket;
  }

  /** 503 for a body the router's BodyHandler read past {@code MODELSYNC_MAX_BUFFERED_BYTES}. */
  void refuseOverBudget(HttpServerRequest req) {
    if (!req.response().ended() && !req.response().closed()) {
      refuse(req, admission.overBudget());
    }
  }

  /** 503 now, and the connection dropped: the body the client may still send is not read. */
  private void refuse(HttpServerRequest req, ApiError overloaded) {
    services.metrics().overloaded();
    req.response().putHeader("connection", "close");
    HttpErrors.send(req, overloaded);
    req.connection().close();
  }

  /**
   * Reads the body into a buffer that grows as bytes arrive (never sized from {@code
   * Content-Length}, which costs a client nothing to inflate), each chunk charged to the ticket
   * before it is kept.
   */
  void read(HttpServerRequest req, Admission.Ticket ticket, Handler<Buffer> then) {
    int max = services.maxBodyBytes();
    if (contentLength(req) > max) {
      tooLarge(req, max);
      return;
    }
    Reader reader = new Reader(req, ticket, then, max);
    req.handler(reader);
    req.endHandler(reader::end);
  }

  /**
   * One request's body as it arrives. A body that comes in one chunk, as small inference requests
   * do, is that chunk: Vert.x hands over an unpooled heap copy of Netty's bytes, so it is kept as
   * it is, with no buffer of our own allocated and copied into per request. A second chunk starts a
   * buffer that grows.
   */
  private final class Reader implements Handler<Buffer> {
    private final HttpServerRequest req;
    private final Admission.Ticket ticket;
    private final Handler<Buffer> then;
    private final int max;

    /** The first chunk until a second one comes; then a buffer of our own that grows. */
    private Buffer body;

    private boolean grown;
    private ApiError refused;

    Reader(HttpServerRequest req, Admission.Ticket ticket, Handler<Buffer> then, int max) {
      this.req = req;
      this.ticket = ticket;
      this.then = then;
      this.max = max;
    }

    @Override
    public void handle(Buffer chunk) {
      if (refused != null) {
        return;
      }
      long total = (long) (body == null ? 0 : body.length()) + chunk.length();
      if (total > max) {
        refused = ApiError.badRequest(tooLargeMessage(max));
      } else if (!ticket.cover(total)) {
        refused = admission.overBudget();
        refuse(req, refused); // at once: the rest of the body is not awaited
      } else if (body == null) {
        body = chunk;
      } else {
        if (!grown) {
          body = Buffer.buffer((int) Math.min(max, Math.max(512, 2 * total))).appendBuffer(body);
          grown = true;
        }
        body.appendBuffer(chunk);
      }
    }

    void end(Void ignored) {
      if (refused != null) {
        if (refused.status() == 400) {
          tooLarge(req, max);
        }
      } else {
        then.handle(body != null ? body : Buffer.buffer(0));
      }
    }
  }

  /** The declared body length; -1 when absent or unreadable (the size limit still applies). */
  private static long contentLength(HttpServerRequest req) {
    String header = req.getHeader("content-length");
    if (header == null || header.isEmpty() || header.length() > 18) {
      return header != null && header.length() > 18 ? Long.MAX_VALUE : -1;
    }
    try {
      return Long.parseLong(header);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void tooLarge(HttpServerRequest req, int max) {
    req.response().putHeader("connection", "close");
    HttpErrors.send(req, ApiError.badRequest(tooLargeMessage(max)));
  }

  private static String tooLargeMessage(int max) {
    return "the request body is larger than the limit of "
        + max
        + " bytes (MODELSYNC_MAX_BODY_BYTES)";
  }
}
