package dev.modelsync.api.http;

import dev.modelsync.api.catalog.CatalogException;
import dev.modelsync.api.engine.InferenceException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes an HTTP status and an {@code {"error": "..."}} body. Clients
 * never see a stack trace; unexpected failures are logged and answered with a short message.
 */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {}

  /** A route's failure handler: a thrown exception, or a status set by Vert.x Web. */
  static void handle(RoutingContext ctx, long maxBodyBytes) {
    Throwable failure = ctx.failure();
    if (failure instanceof io.vertx.ext.web.handler.HttpException e && e.getStatusCode() == 413
        || failure == null && ctx.statusCode() == 413) {
      reply(
          ctx,
          400,
          "the request body is larger than the limit of "
              + maxBodyBytes
              + " bytes (MODELSYNC_MAX_BODY_BYTES)");
      return;
    }
    if (failure != null) {
      send(ctx, failure);
      return;
    }
    int code = ctx.statusCode();
    switch (code) {
      case 401 -> reply(ctx, 401, "missing bearer token");
      case 404 ->
          reply(
              ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path());
      case 405 -> reply(ctx, 405, "method " + ctx.request().method() + " not allowed here");
      default -> reply(ctx, code < 400 ? 500 : code, code < 500 ? "bad request" : "internal error");
    }
  }

  static void send(RoutingContext ctx, Throwable failure) {
    send(ctx.request(), failure);
  }

  static void send(HttpServerRequest request, Throwable failure) {
    int status = status(failure);
    String message = status == 500 ? internal(request, failure) : failure.getMessage();
    reply(request.response(), status, message);
  }

  static int status(Throwable failure) {
    if (failure instanceof ApiError e) {
      return e.status();
    }
    if (failure instanceof CatalogException e) {
      return switch (e.kind()) {
        case UNKNOWN -> 404;
        case CONFLICT, LOAD_FAILED -> 409;
      };
    }
    if (failure instanceof io.vertx.ext.web.handler.HttpException e) {
      return e.getStatusCode() == 413 ? 400 : e.getStatusCode();
    }
    return 500;
  }

  static boolean isClientError(Throwable failure) {
    int s = status(failure);
    return s >= 400 && s < 500;
  }

  private static String internal(HttpServerRequest request, Throwable failure) {
    if (failure instanceof InferenceException) {
      LOG.warn("{} {}: {}", request.method(), request.path(), failure.getMessage());
      return failure.getMessage();
    }
    LOG.error("{} {} failed", request.method(), request.path(), failure);
    return "internal error";
  }

  static void reply(RoutingContext ctx, int status, String message) {
    reply(ctx.response(), status, message);
  }

  static void reply(HttpServerResponse response, int status, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (status == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    response
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(io.vertx.core.json.Json.encode(Map.of("error", message == null ? "error" : message)));
  }
}
