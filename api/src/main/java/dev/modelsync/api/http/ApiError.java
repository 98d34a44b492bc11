package dev.modelsync.api.http;

/** A request the HTTP layer refuses, with the status and the message the client sees. */
final class ApiError extends RuntimeException {
  private final int status;

  ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiError badRequest(String message) {
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
    return new ApiError(503, message);
  }

  int status() {
    return status;
  }
}
