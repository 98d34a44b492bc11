package dev.modelsync.api.grpc;

import dev.modelsync.api.catalog.CatalogException;
import dev.modelsync.api.engine.InferenceException;
import dev.modelsync.api.http.ApiError;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes a gRPC status, from the same errors the HTTP layer turns into
 * status codes: 400 INVALID_ARGUMENT, 404 NOT_FOUND, 503 UNAVAILABLE (not ready) or
 * RESOURCE_EXHAUSTED (over the in-flight limit or the byte budget). Clients never see a stack
 * trace.
 */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static GrpcStatus status(Throwable failure) {
    if (failure instanceof InferMessages.Refused r) {
      return r.status;
    }
    if (failure instanceof ApiError e) {
      if (e.overloaded()) {
        return GrpcStatus.RESOURCE_EXHAUSTED;
      }
      return switch (e.status()) {
        case 400 -> GrpcStatus.INVALID_ARGUMENT;
        case 404 -> GrpcStatus.NOT_FOUND;
        case 503 -> GrpcStatus.UNAVAILABLE;
        default -> GrpcStatus.INTERNAL;
      };
    }
    if (failure instanceof CatalogException e && e.kind() == CatalogException.Kind.UNKNOWN) {
      return GrpcStatus.NOT_FOUND;
    }
    return GrpcStatus.INTERNAL;
  }

  /** Ends the call with the failure's status and message. */
  static void send(GrpcServerResponse<?, ?> response, String method, Throwable failure) {
    GrpcStatus status = status(failure);
    String message = failure.getMessage();
    if (status == GrpcStatus.INTERNAL) {
      if (failure instanceof InferenceException) {
        LOG.warn("{}: {}", method, message);
      } else {
        LOG.error("{} failed", method, failure);
        message = "internal error";
      }
    }
    end(response, status, message == null ? status.name() : message);
  }

  static void end(GrpcServerResponse<?, ?> response, GrpcStatus status, String message) {
    response.status(status).statusMessage(message).end();
  }
}
