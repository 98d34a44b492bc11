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
    Buffer body = Buffer.buffer(512);
    ApiError[] refused = new ApiError[1];
    req.handler(
        chunk -> {
          if (refused[0] != null) {
            return;
          }
          long total = (long) body.length() + chunk.length();
          if (total > max) {
            refused[0] = ApiError.badRequest(tooLargeMessage(max));
          } else if (!ticket.cover(total)) {
            refused[0] = admission.overBudget();
            refuse(req, refused[0]); // at once: the rest of the body is not awaited
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(
        x -> {
          if (refused[0] != null) {
            if (refused[0].status() == 400) {
              tooLarge(req, max);
            }
          } else {
            then.handle(body);
          }
        });
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
