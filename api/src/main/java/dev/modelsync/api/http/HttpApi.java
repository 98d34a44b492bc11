package dev.modelsync.api.http;

import dev.modelsync.metrics.CommonMeters;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The routes of the HTTP API; {@code /openapi.yaml} describes them. */
public final class HttpApi {
  private HttpApi() {}

  /**
   * The request handler: KServe infer requests take a fast path that skips the router; everything
   * else goes through it.
   */
  public static io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler(
      Vertx vertx, Services services) {
    Router router = router(vertx, services);
    InferenceHandlers infer = new InferenceHandlers(services);
    RequestTimeout timeout = new RequestTimeout(vertx, services.requestTimeoutMs());
    return req -> {
      if (!infer.tryFastPath(req, timeout)) {
        router.handle(req);
      }
    };
  }

  static Router router(Vertx vertx, Services services) {
    Router router = Router.router(vertx);
    var infer = new InferenceHandlers(services);
    var meta = new MetadataHandlers(services);
    var admin = new AdminHandlers(services);
    var triton = new TritonHandlers(services);
    var tfServing = new TfServingHandlers(services, infer);
    // a platform handler, so Vert.x Web lets it run before the BodyHandler
    io.vertx.ext.web.handler.PlatformHandler admit = infer::admit;
    Buffer openapi = resource("/openapi.yaml");
    BodyHandler body =
        BodyHandler.create(false).setBodyLimit(services.maxBodyBytes()).setHandleFileUploads(false);

    router.route().handler(new RequestTimeout(vertx, services.requestTimeoutMs())::handle);
    router.get("/v2").handler(meta::server);
    router.get("/v2/health/live").handler(meta::live);
    router.get("/v2/health/ready").handler(meta::ready);
    router.get("/health").handler(meta::health);
    router.get("/").handler(meta::root);
    // before /v2/models/:model, which would take "stats" for a model name (as in Triton)
    router.get("/v2/models/stats").handler(triton::stats);
    router.get("/v2/models/:model/stats").handler(triton::stats);
    router.get("/v2/models/:model/versions/:version/stats").handler(triton::stats);
    router.get("/v2/models/:model/config").handler(triton::config);
    router.get("/v2/models/:model/versions/:version/config").handler(triton::config);
    router.get("/v2/models/:model").handler(meta::model);
    router.get("/v2/models/:model/versions/:version").handler(meta::model);
    router.get("/v2/models/:model/ready").handler(meta::modelReady);
    router.get("/v2/models/:model/versions/:version/ready").handler(meta::modelReady);

    router.post("/v2/models/:model/infer").handler(admit).handler(body).handler(infer::v2);
    router
        .post("/v2/models/:model/versions/:version/infer")
        .handler(admit)
        .handler(body)
        .handler(infer::v2);
    router.post("/v2/repository/index").handler(body).handler(admin::index);
    router.get("/v2/repository/models/:model/rollout").handler(admin::rollout);
    for (String action :
        new String[] {"pin", "rollback", "unpin", "load", "unload", "promote", "reject"}) {
      var route =
          router
              .post("/v2/repository/models/:model/" + action)
              .handler(body)
              .handler(admin::authorize);
      switch (action) {
        case "pin" -> route.handler(admin::pin);
        case "rollback" -> route.handler(admin::rollback);
        case "unpin" -> route.handler(admin::unpin);
        case "load" -> route.handler(admin::load);
        case "promote" -> route.handler(admin::promote);
        case "reject" -> route.handler(admin::reject);
        default -> route.handler(admin::unload);
      }
    }

    router.get("/v1/models/:model").handler(tfServing::status);
    router.get("/v1/models/:model/versions/:version").handler(tfServing::status);
    router.get("/v1/models/:model/labels/:label").handler(tfServing::status);
    router.get("/v1/models/:model/metadata").handler(tfServing::metadata);
    router.get("/v1/models/:model/versions/:version/metadata").handler(tfServing::metadata);
    router.get("/v1/models/:model/labels/:label/metadata").handler(tfServing::metadata);
    router
        .postWithRegex("/v1/models/([^/:]+)/labels/([^/:]+):predict")
        .handler(admit)
        .handler(body)
        .handler(tfServing::labelPredict);
    router
        .postWithRegex("/v1/models/([^/:]+)(?:/versions/([^/:]+))?:predict")
        .handler(admit)
        .handler(body)
        .handler(infer::tfPredict);

    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", CommonMeters.CONTENT_TYPE)
                    .end(services.metrics().scrape()));
    router
        .get("/openapi.yaml")
        .handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").end(openapi));

    router.route().failureHandler(ctx -> HttpErrors.handle(ctx, services.maxBodyBytes()));
    router.errorHandler(404, ctx -> HttpErrors.handle(ctx, services.maxBodyBytes()));
    router.errorHandler(405, ctx -> HttpErrors.handle(ctx, services.maxBodyBytes()));
    return router;
  }

  private static Buffer resource(String name) {
    try (InputStream in = HttpApi.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
