package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.metrics.InferenceStats;
import dev.modelsync.api.metrics.InferenceStats.Phase;
import dev.modelsync.api.metrics.VersionMeters;
import dev.modelsync.api.metrics.VersionMeters.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
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

  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence OCTETS =
      HttpHeaders.createOptimized("application/octet-stream");
  private static final CharSequence BINARY_HEADER =
      HttpHeaders.createOptimized(BinaryTensors.HEADER);
  private final Services services;
  private final Protocol v2;
  private final Protocol tf;

  InferenceHandlers(Services services) {
    this.services = services;
    this.v2 = v2(services.maxTensorBytes());
    this.tf = tf(services.maxTensorBytes());
  }

  /** A request body parsed for a model: inputs in the model's terms, and what the answer needs. */
  record Parsed(List<Tensor> inputs, List<String> outputs, Object extra) {}

  /** One protocol's body handling, run on an inference thread. */
  interface Protocol {
    /** {@code binaryHeader}: the binary tensor extension's header, or null. */
    Parsed parse(ServedVersion version, byte[] body, String binaryHeader);

    BinaryTensors.Answer encode(ServedVersion version, Parsed request, List<Tensor> outputs);
  }

  static Protocol v2(long maxTensorBytes) {
    return new Protocol() {
      @Override
      public Parsed parse(ServedVersion v, byte[] body, String binaryHeader) {
        var in = v.loaded();
        KServeCodec.InferRequest req =
            KServeCodec.parseInfer(body, binaryHeader, in.inputs(), in.outputs(), maxTensorBytes);
        return new Parsed(req.inputs(), req.outputs(), req);
      }

      @Override
      public BinaryTensors.Answer encode(ServedVersion v, Parsed request, List<Tensor> outputs) {
        var req = (KServeCodec.InferRequest) request.extra();
        return KServeCodec.writeInfer(v.model(), v.version(), req.id(), outputs, req.binary());
      }
    };
  }

  static Protocol tf(long maxTensorBytes) {
    return new Protocol() {
      @Override
      public Parsed parse(ServedVersion v, byte[] body, String binaryHeader) {
        TfServingCodec.PredictRequest req =
            TfServingCodec.parse(body, v.loaded().inputs(), maxTensorBytes);
        return new Parsed(req.inputs(), List.of(), req.rows());
      }

      @Override
      public BinaryTensors.Answer encode(ServedVersion v, Parsed request, List<Tensor> outputs) {
        return BinaryTensors.json(TfServingCodec.write((Boolean) request.extra(), outputs));
      }
    };
  }

  /** Handles {@code POST /v2/models/{m}[/versions/{v}]/infer}; false for any other request. */
  boolean tryFastPath(HttpServerRequest req, RequestTimeout timeout) {
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
    timeout.arm(req);
    readBody(req, body -> infer(req, body, m, v, v2));
    return true;
  }

  /** Router route of KServe infer, for requests the fast path does not take. */
  void v2(RoutingContext ctx) {
    infer(ctx.request(), ctx.body().buffer(), ctx.pathParam("model"), ctx.pathParam("version"), v2);
  }

  /** Router route of {@code POST /v1/models/{m}[/versions/{v}]:predict}. */
  void tfPredict(RoutingContext ctx) {
    tfPredict(ctx, ctx.pathParam("param0"), ctx.pathParam("param1"));
  }

  /** TF Serving predict on a version the caller resolved (from a label); null for the serving. */
  void tfPredict(RoutingContext ctx, String model, String version) {
    infer(ctx.request(), ctx.body().buffer(), model, version, tf);
  }

  private void readBody(HttpServerRequest req, io.vertx.core.Handler<Buffer> then) {
    int max = services.maxBodyBytes();
    long length = contentLength(req);
    if (length > max) {
      tooLarge(req, max);
      return;
    }
    Buffer body = Buffer.buffer(length < 0 ? 512 : (int) length);
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

  /** The declared body length; -1 when absent or unreadable (the size limit still applies). */
  private static long contentLength(HttpServerRequest req) {
    String header = req.getHeader("content-length");
    if (header == null || header.isEmpty() || header.length() > 18) {
      return header != null && header.length() > 18 ? Long.MAX_VALUE : -1;
    }
    try {
      return Long.parseLong(header);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void tooLarge(HttpServerRequest req, int max) {
    req.response().putHeader("connection", "close");
    HttpErrors.send(
        req,
        ApiError.badRequest(
            "the request body is larger than the limit of "
                + max
                + " bytes (MODELSYNC_MAX_BODY_BYTES)"));
  }

  private void infer(
      HttpServerRequest req, Buffer body, String model, String versionText, Protocol work) {
    if (req.response().ended()) {
      return; // timed out while the body arrived
    }
    var inFlight = services.metrics().inFlight();
    if (inFlight.incrementAndGet() > services.maxInFlight()) {
      inFlight.decrementAndGet();
      services.metrics().overloaded();
      HttpErrors.send(
          req,
          ApiError.overloaded(
              "overloaded: "
                  + services.maxInFlight()
                  + " inference requests in flight (MODELSYNC_MAX_IN_FLIGHT); retry shortly"));
      return;
    }
    ServedVersion v;
    try {
      v = lease(model, versionText);
    } catch (ApiError e) {
      inFlight.decrementAndGet();
      HttpErrors.send(req, e);
      return;
    }
    Job job = new Job(Vertx.currentContext(), req, v, body == null ? null : body.getBytes(), work);
    job.binaryHeader = req.getHeader(BinaryTensors.HEADER);
    try {
      services.inference().submit(job);
    } catch (RuntimeException e) {
      job.failure = e;
      job.complete();
    }
  }

  /** One request on its way through the inference threads. */
  final class Job implements InferenceExecutor.Job {
    private final Context context;
    private final HttpServerRequest req;
    final ServedVersion version;
    private final byte[] body;
    private final Protocol protocol;
    private final long started = System.nanoTime();
    Parsed parsed;
    private String binaryHeader;
    private BinaryTensors.Answer answer;
    private Throwable failure;

    Job(Context context, HttpServerRequest req, ServedVersion version, byte[] body, Protocol p) {
      this.context = context;
      this.req = req;
      this.version = version;
      this.body = body;
      this.protocol = p;
    }

    @Override
    public Context context() {
      return context;
    }

    /** Parses the body; false (with the failure kept for the answer) when it is bad. */
    boolean parse() {
      try {
        parsed = protocol.parse(version, body, binaryHeader);
        return true;
      } catch (Throwable e) {
        failure = e;
        return false;
      }
    }

    /** Runs the model for this request alone. */
    void predict() {
      long begin = System.nanoTime();
      List<Tensor> outputs;
      try {
        outputs = version.loaded().predict(parsed.inputs(), parsed.outputs());
      } catch (Throwable e) {
        failure = e;
        return;
      }
      stats().executed();
      ran(System.nanoTime() - begin);
      answer(outputs);
    }

    /** {@link #parse()} began at {@code begin} and took until now; {@code ok} if it succeeded. */
    void parsed(long begin, boolean ok) {
      stats().add(Phase.QUEUE, begin - started);
      if (ok) {
        stats().add(Phase.COMPUTE_INPUT, System.nanoTime() - begin);
      }
    }

    /** The model run this request was part of took {@code ns}. */
    void ran(long ns) {
      stats().add(Phase.COMPUTE_INFER, ns);
    }

    void answer(List<Tensor> outputs) {
      long begin = System.nanoTime();
      try {
        answer = protocol.encode(version, parsed, outputs);
        stats().add(Phase.COMPUTE_OUTPUT, System.nanoTime() - begin);
        stats().inferred(Batcher.rows(this));
      } catch (Throwable e) {
        failure = e;
      }
    }

    @Override
    public void complete() {
      version.release();
      services.metrics().inFlight().decrementAndGet();
      VersionMeters meters = version.meters();
      if (failure == null && answer == null) {
        failure = new IllegalStateException("the inference thread gave no answer");
      }
      if (req.response().ended() || req.response().closed()) {
        // answered by the request timeout, or the client went away: count it, drop the answer
        meters.record(Outcome.ERROR, started);
      } else if (failure == null) {
        meters.record(Outcome.SUCCESS, started);
        if (answer.jsonLength() >= 0) {
          req.response()
              .putHeader(CONTENT_TYPE, OCTETS)
              .putHeader(BINARY_HEADER, Integer.toString(answer.jsonLength()));
        } else {
          req.response().putHeader(CONTENT_TYPE, JSON);
        }
        req.response().end(Buffer.buffer(answer.body()));
      } else {
        meters.record(
            HttpErrors.isClientError(failure) ? Outcome.CLIENT_ERROR : Outcome.ERROR, started);
        HttpErrors.send(req, failure);
      }
    }

    private InferenceStats stats() {
      return version.<VersionMeters>meters().stats();
    }
  }

  /**
   * Leases the version a request names (or the serving one); 400 for a name or version that cannot
   * exist, 404 or 503 when there is none.
   */
  ServedVersion lease(String model, String versionText) {
    UrlParams.checkName(model);
    long version = UrlParams.version(model, versionText);
    ServedVersion v = services.catalog().acquire(model, version);
    if (v != null) {
      return v;
    }
    throw missing(services, model, version);
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
