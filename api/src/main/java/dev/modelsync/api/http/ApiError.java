package dev.modelsync.api.http;

/**
 * A request the server refuses, with the HTTP status and the message the client sees (the gRPC
 * service maps the same status to a gRPC code).
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final boolean overloaded;

  ApiError(int status, String message) {
    this(status, message, false);
  }

  private ApiError(int status, String message, boolean overloaded) {
    super(message, null, false, false);
    this.status = status;
    this.overloaded = overloaded;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  static ApiError notReady(String message) {
    return new ApiError(503, message);
  }

  /** Too many requests in flight: refused at once rather than queued without bound. */
  static ApiError overloaded(String message) {
    return new ApiError(503, message, true);
  }

  public int status() {
    return status;
  }

  /** True for the refusal over {@code MODELSYNC_MAX_IN_FLIGHT} (a 503 like "not ready"). */
  public boolean overloaded() {
    return overloaded;
  }
}
