package dev.modelsync.api.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** One HTTP server instance; the api deploys one per event loop, all on the same port. */
public final class HttpVerticle extends VerticleBase {
  private final Services services;
  private final String host;
  private final int port;
  private HttpServer server;

  public HttpVerticle(Services services, String host, int port) {
    this.services = services;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server =
        vertx.createHttpServer(
            new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false));
    return server
        .requestHandler(HttpApi.handler(vertx, services))
        .invalidRequestHandler(InvalidRequests::handle)
        .listen(port, host);
  }

  /** The port the server listens on (resolved when started with 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
