package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.VersionMeters;
import dev.modelsync.api.metrics.VersionMeters.Outcome;
import dev.modelsync.events.ModelNames;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Inference over HTTP for both protocols: lease the version, run parse + predict + encode on the
 * inference pool, answer on the event loop, release the lease. The lease is what lets a swap close
 * the old version only after the requests on it finish.
 */
final class InferenceHandlers {
  private final Services services;

  InferenceHandlers(Services services) {
    this.services = services;
  }

  /** {@code POST /v2/models/{m}[/versions/{v}]/infer}. */
  void v2(RoutingContext ctx) {
    run(
        ctx,
        ctx.pathParam("model"),
        ctx.pathParam("version"),
        (v, body) -> {
          var in = v.loaded();
          KServeCodec.InferRequest req = KServeCodec.parseInfer(body, in.inputs(), in.outputs());
          List<Tensor> out = in.predict(req.inputs(), req.outputs());
          return KServeCodec.writeInfer(v.model(), v.version(), req.id(), out);
        });
  }

  /** {@code POST /v1/models/{m}[/versions/{v}]:predict}. */
  void tfPredict(RoutingContext ctx) {
    run(
        ctx,
        ctx.pathParam("param0"),
        ctx.pathParam("param1"),
        (v, body) -> {
          TfServingCodec.PredictRequest req = TfServingCodec.parse(body, v.loaded().inputs());
          return TfServingCodec.write(req.rows(), v.loaded().predict(req.inputs(), List.of()));
        });
  }

  /** One protocol's body handling, run on the inference pool. */
  interface Work {
    byte[] apply(ServedVersion version, byte[] body) throws Exception;
  }

  private void run(RoutingContext ctx, String model, String versionText, Work work) {
    ServedVersion v = lease(model, versionText);
    long started = System.nanoTime();
    services.metrics().inFlight().incrementAndGet();
    Buffer body = ctx.body().buffer();
    byte[] bytes = body == null ? null : body.getBytes();
    Future<byte[]> answer;
    try {
      answer = services.inferPool().executeBlocking(() -> work.apply(v, bytes), false);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> finish(ctx, v, started, ar));
  }

  private void finish(RoutingContext ctx, ServedVersion v, long started, AsyncResult<byte[]> ar) {
    v.release();
    services.metrics().inFlight().decrementAndGet();
    VersionMeters meters = v.meters();
    if (ar.succeeded()) {
      meters.record(Outcome.SUCCESS, started);
      ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(ar.result()));
    } else {
      meters.record(
          HttpErrors.isClientError(ar.cause()) ? Outcome.CLIENT_ERROR : Outcome.ERROR, started);
      HttpErrors.send(ctx, ar.cause());
    }
  }

  /** Leases the version a request names (or the serving one); 404 or 503 when there is none. */
  ServedVersion lease(String model, String versionText) {
    long version = parseVersion(model, versionText);
    ServedVersion v = ModelNames.isValid(model) ? services.catalog().acquire(model, version) : null;
    if (v != null) {
      return v;
    }
    throw missing(services, model, version);
  }

  static long parseVersion(String model, String versionText) {
    if (versionText == null) {
      return 0;
    }
    long version = ModelNames.parseVersion(versionText);
    if (version < 1) {
      throw ApiError.notFound("model '" + model + "' has no version '" + versionText + "'");
    }
    return version;
  }

  static ApiError missing(Services services, String model, long version) {
    if (!services.ready().getAsBoolean()) {
      return ApiError.notReady("not ready: the model catalog is still loading");
    }
    if (version != 0 && services.catalog().serving(model) != null) {
      return ApiError.notFound("model '" + model + "' has no loaded version " + version);
    }
    return ApiError.notFound("unknown model '" + model + "'");
  }
}
