package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.VersionMeters;
import dev.modelsync.api.metrics.VersionMeters.Outcome;
import dev.modelsync.events.ModelNames;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Inference over HTTP for both protocols: lease the version, run parse + predict + encode on an
 * inference thread, answer on the event loop, release the lease. The lease is what lets a swap
 * close the old version only after the requests on it finish.
 *
 * <p>KServe infer requests skip the router ({@link #tryFastPath}): matching a dozen routes and
 * buffering through BodyHandler cost more than the model itself for small tensors.
 */
final class InferenceHandlers {
  private static final String V2_PREFIX = "/v2/models/";
  private static final String INFER = "/infer";
  private static final String VERSIONS = "/versions/";

  private final Services services;

  InferenceHandlers(Services services) {
    this.services = services;
  }

  /** One protocol's body handling, run on an inference thread. */
  interface Work {
    byte[] apply(ServedVersion version, byte[] body) throws Exception;
  }

  static final Work V2 =
      (v, body) -> {
        var in = v.loaded();
        KServeCodec.InferRequest req = KServeCodec.parseInfer(body, in.inputs(), in.outputs());
        List<Tensor> out = in.predict(req.inputs(), req.outputs());
        return KServeCodec.writeInfer(v.model(), v.version(), req.id(), out);
      };

  static final Work TF =
      (v, body) -> {
        TfServingCodec.PredictRequest req = TfServingCodec.parse(body, v.loaded().inputs());
        return TfServingCodec.write(req.rows(), v.loaded().predict(req.inputs(), List.of()));
      };

  /** Handles {@code POST /v2/models/{m}[/versions/{v}]/infer}; false for any other request. */
  boolean tryFastPath(HttpServerRequest req) {
    String path = req.path();
    if (req.method() != HttpMethod.POST
        || !path.startsWith(V2_PREFIX)
        || !path.endsWith(INFER)
        || path.length() <= V2_PREFIX.length() + INFER.length()) {
      return false;
    }
    String rest = path.substring(V2_PREFIX.length(), path.length() - INFER.length());
    String model = rest;
    String version = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      if (!rest.startsWith(VERSIONS, slash) || rest.indexOf('/', slash + VERSIONS.length()) >= 0) {
        return false;
      }
      model = rest.substring(0, slash);
      version = rest.substring(slash + VERSIONS.length());
    }
    String m = model;
    String v = version;
    readBody(req, body -> infer(req, body, m, v, V2));
    return true;
  }

  /** Router route of KServe infer, for requests the fast path does not take. */
  void v2(RoutingContext ctx) {
    infer(ctx.request(), ctx.body().buffer(), ctx.pathParam("model"), ctx.pathParam("version"), V2);
  }

  /** Router route of {@code POST /v1/models/{m}[/versions/{v}]:predict}. */
  void tfPredict(RoutingContext ctx) {
    infer(ctx.request(), ctx.body().buffer(), ctx.pathParam("param0"), ctx.pathParam("param1"), TF);
  }

  private void readBody(HttpServerRequest req, io.vertx.core.Handler<Buffer> then) {
    int max = services.maxBodyBytes();
    String length = req.getHeader("content-length");
    if (length != null && length.length() < 12 && Long.parseLong(length) > max) {
      tooLarge(req, max);
      return;
    }
    Buffer body = Buffer.buffer(length == null ? 512 : Math.max(0, Integer.parseInt(length)));
    boolean[] over = new boolean[1];
    req.handler(
        chunk -> {
          if (!over[0] && body.length() + chunk.length() > max) {
            over[0] = true;
          } else if (!over[0]) {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(
        x -> {
          if (over[0]) {
            tooLarge(req, max);
          } else {
            then.handle(body);
          }
        });
  }

  private static void tooLarge(HttpServerRequest req, int max) {
    req.response().putHeader("connection", "close");
    HttpErrors.send(
        req, ApiError.badRequest("the request body is larger than the limit of " + max + " bytes"));
  }

  private void infer(
      HttpServerRequest req, Buffer body, String model, String versionText, Work work) {
    ServedVersion v;
    try {
      v = lease(model, versionText);
    } catch (ApiError e) {
      HttpErrors.send(req, e);
      return;
    }
    services.metrics().inFlight().incrementAndGet();
    Job job = new Job(Vertx.currentContext(), req, v, body == null ? null : body.getBytes(), work);
    try {
      services.inference().submit(job);
    } catch (RuntimeException e) {
      job.failure = e;
      job.complete();
    }
  }

  /** One request on its way through the inference threads. */
  private final class Job implements InferenceExecutor.Job {
    private final Context context;
    private final HttpServerRequest req;
    private final ServedVersion version;
    private final byte[] body;
    private final Work work;
    private final long started = System.nanoTime();
    private byte[] answer;
    private Throwable failure;

    Job(Context context, HttpServerRequest req, ServedVersion version, byte[] body, Work work) {
      this.context = context;
      this.req = req;
      this.version = version;
      this.body = body;
      this.work = work;
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public void run() {
      try {
        answer = work.apply(version, body);
      } catch (Throwable e) {
        failure = e;
      }
    }

    @Override
    public void complete() {
      version.release();
      services.metrics().inFlight().decrementAndGet();
      VersionMeters meters = version.meters();
      if (failure == null) {
        meters.record(Outcome.SUCCESS, started);
        req.response().putHeader("content-type", "application/json").end(Buffer.buffer(answer));
      } else {
        meters.record(
            HttpErrors.isClientError(failure) ? Outcome.CLIENT_ERROR : Outcome.ERROR, started);
        HttpErrors.send(req, failure);
      }
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
