package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
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

  /** Where the router path keeps a request's admission ticket between its handlers. */
  private static final String TICKET = "modelsync.admission";

  private final Services services;
  private final Bodies bodies;
  private final Protocol v2;
  private final Protocol tf;

  InferenceHandlers(Services services) {
    this.services = services;
    this.bodies = new Bodies(services);
    this.v2 = v2(services.maxTensorBytes());
    this.tf = tf(services.maxTensorBytes());
  }

  /** A request body parsed for a model: inputs in the model's terms, and what the answer needs. */
  record Parsed(List<Tensor> inputs, List<String> outputs, Object extra) {}

  /** One protocol's body handling, run on an inference thread. */
  interface Protocol {
    Parsed parse(ServedVersion version, byte[] body);

    byte[] encode(ServedVersion version, Parsed request, List<Tensor> outputs);
  }

  static Protocol v2(long maxTensorBytes) {
    return new Protocol() {
      @Override
      public Parsed parse(ServedVersion v, byte[] body) {
        var in = v.loaded();
        KServeCodec.InferRequest req =
            KServeCodec.parseInfer(body, in.inputs(), in.outputs(), maxTensorBytes);
        return new Parsed(req.inputs(), req.outputs(), req.id());
      }

      @Override
      public byte[] encode(ServedVersion v, Parsed request, List<Tensor> outputs) {
        return KServeCodec.writeInfer(v.model(), v.version(), (String) request.extra(), outputs);
      }
    };
  }

  static Protocol tf(long maxTensorBytes) {
    return new Protocol() {
      @Override
      public Parsed parse(ServedVersion v, byte[] body) {
        TfServingCodec.PredictRequest req =
            TfServingCodec.parse(body, v.loaded().inputs(), maxTensorBytes);
        return new Parsed(req.inputs(), List.of(), req.rows());
      }

      @Override
      public byte[] encode(ServedVersion v, Parsed request, List<Tensor> outputs) {
        return TfServingCodec.write((Boolean) request.extra(), outputs);
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
    Admission.Ticket ticket = bodies.admit(req);
    if (ticket != null) {
      req.response().endHandler(x -> ticket.releaseUnlessSubmitted());
      req.response().closeHandler(x -> ticket.releaseUnlessSubmitted());
      bodies.read(req, ticket, body -> infer(req, ticket, body, m, v, v2));
    }
    return true;
  }

  /** Router step before the BodyHandler of the infer routes: admission before the body. */
  void admit(RoutingContext ctx) {
    Admission.Ticket ticket = bodies.admit(ctx.request());
    if (ticket != null) {
      ctx.put(TICKET, ticket);
      ctx.addEndHandler(x -> ticket.releaseUnlessSubmitted());
      ctx.next();
    }
  }

  /** Router route of KServe infer, for requests the fast path does not take. */
  void v2(RoutingContext ctx) {
    infer(
        ctx.request(),
        ctx.get(TICKET),
        ctx.body().buffer(),
        ctx.pathParam("model"),
        ctx.pathParam("version"),
        v2);
  }

  /** Router route of {@code POST /v1/models/{m}[/versions/{v}]:predict}. */
  void tfPredict(RoutingContext ctx) {
    infer(
        ctx.request(),
        ctx.get(TICKET),
        ctx.body().buffer(),
        ctx.pathParam("param0"),
        ctx.pathParam("param1"),
        tf);
  }

  private void infer(
      HttpServerRequest req,
      Admission.Ticket ticket,
      Buffer body,
      String model,
      String versionText,
      Protocol work) {
    if (req.response().ended()) {
      ticket.release();
      return; // timed out while the body arrived
    }
    ticket.cover(body == null ? 0 : body.length()); // the router's BodyHandler read it uncharged
    ServedVersion v;
    try {
      v = lease(model, versionText);
    } catch (ApiError e) {
      ticket.release();
      HttpErrors.send(req, e);
      return;
    }
    ticket.submitted();
    Job job =
        new Job(
            Vertx.currentContext(), req, ticket, v, body == null ? null : body.getBytes(), work);
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
    private final Admission.Ticket ticket;
    final ServedVersion version;
    private final byte[] body;
    private final Protocol protocol;
    private final long started = System.nanoTime();
    Parsed parsed;
    private byte[] answer;
    private Throwable failure;

    Job(
        Context context,
        HttpServerRequest req,
        Admission.Ticket ticket,
        ServedVersion version,
        byte[] body,
        Protocol p) {
      this.context = context;
      this.req = req;
      this.ticket = ticket;
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
        parsed = protocol.parse(version, body);
        return true;
      } catch (Throwable e) {
        failure = e;
        return false;
      }
    }

    /** Bytes of the parsed inputs (8 per BYTES element, as the tensor limit counts them). */
    long inputBytes() {
      long total = 0;
      for (Tensor t : parsed.inputs()) {
        total += (long) t.size() * (t.type().bytes() == 0 ? 8 : t.type().bytes());
      }
      return total;
    }

    /** The most input bytes one stacked run may hold: what one request's tensor may. */
    long stackLimit() {
      return services.maxTensorBytes();
    }

    /** Runs the model for this request alone. */
    void predict() {
      try {
        answer(version.loaded().predict(parsed.inputs(), parsed.outputs()));
      } catch (Throwable e) {
        failure = e;
      }
    }

    void answer(List<Tensor> outputs) {
      try {
        answer = protocol.encode(version, parsed, outputs);
      } catch (Throwable e) {
        failure = e;
      }
    }

    @Override
    public void complete() {
      version.release();
      ticket.release();
      VersionMeters meters = version.meters();
      if (failure == null && answer == null) {
        failure = new IllegalStateException("the inference thread gave no answer");
      }
      if (req.response().ended() || req.response().closed()) {
        // answered by the request timeout, or the client went away: count it, drop the answer
        meters.record(Outcome.ERROR, started);
      } else if (failure == null) {
        meters.record(Outcome.SUCCESS, started);
        req.response().putHeader(CONTENT_TYPE, JSON).end(Buffer.buffer(answer));
      } else {
        meters.record(
            HttpErrors.isClientError(failure) ? Outcome.CLIENT_ERROR : Outcome.ERROR, started);
        HttpErrors.send(req, failure);
      }
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
