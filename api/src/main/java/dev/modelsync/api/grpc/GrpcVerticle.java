package dev.modelsync.api.grpc;

import dev.modelsync.api.http.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;

/**
 * One event loop's gRPC server (HTTP/2 without TLS, as gRPC clients connect by default). Deployed
 * once per HTTP instance on one port, like {@code HttpVerticle}.
 */
public final class GrpcVerticle extends VerticleBase {
  private final Services services;
  private final String host;
  private final int port;

  public GrpcVerticle(Services services, String host, int port) {
    this.services = services;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    // ModelInfer messages are as large as HTTP bodies may be (MODELSYNC_MAX_BODY_BYTES)
    GrpcServer grpc =
        GrpcServer.server(
            vertx, new GrpcServerOptions().setMaxMessageSize(services.maxBodyBytes()));
    new InferenceService(vertx, services).bind(grpc);
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(grpc)
        .listen();
  }
}
