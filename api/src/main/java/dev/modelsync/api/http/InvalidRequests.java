package dev.modelsync.api.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP codec could not decode (a request line or headers over the limits, a malformed
 * line): answered in the API's {@code {"error": ...}} shape rather than Vert.x's empty default,
 * then the connection is closed (the codec cannot tell where the next request would start).
 */
final class InvalidRequests {
  private InvalidRequests() {}

  static void handle(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message =
          "the request line is longer than "
              + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
              + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message =
          "the request headers are larger than "
              + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
              + " bytes";
    } else {
      status = 400;
      message = "malformed HTTP request" + (cause == null ? "" : ": " + firstLine(cause));
    }
    req.response().putHeader("connection", "close");
    HttpErrors.reply(req.response(), status, message);
  }

  private static String firstLine(Throwable cause) {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m.lines().findFirst().orElse("");
  }
}
