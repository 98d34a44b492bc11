package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.inference.InferenceJob;
import dev.modelsync.api.inference.InferenceJob.Parsed;
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

  /**
   * The last infer path parsed, shared by the event loops (immutable, so a stale read is only a
   * miss): clients send the same path over and over, and parsing it allocates two strings.
   */
  private volatile InferPath lastPath;

  /** A v2 infer path's model and version (null for the latest). */
  private record InferPath(String path, String model, String version) {
    /** Null when {@code path} is not {@code /v2/models/{m}[/versions/{v}]/infer}. */
    static InferPath of(String path) {
      String rest = path.substring(V2_PREFIX.length(), path.length() - INFER.length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        return new InferPath(path, rest, null);
      }
      if (!rest.startsWith(VERSIONS, slash) || rest.indexOf('/', slash + VERSIONS.length()) >= 0) {
        return null;
      }
      return new InferPath(
          path, rest.substring(0, slash), rest.substring(slash + VERSIONS.length()));
    }
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
    InferPath target = lastPath;
    if (target == null || !target.path().equals(path)) {
      target = InferPath.of(path);
      if (target == null) {
        return false;
      }
      lastPath = target;
    }
    String m = target.model();
    String v = target.version();
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
    tfPredict(ctx, ctx.pathParam("param0"), ctx.pathParam("param1"));
  }

  /** TF Serving predict on a version the caller resolved (from a label); null for the serving. */
  void tfPredict(RoutingContext ctx, String model, String version) {
    infer(ctx.request(), ctx.get(TICKET), ctx.body().buffer(), model, version, tf);
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
    // the router's BodyHandler read the body uncharged: past the budget (or released because the
    // client went away) the request stops here
    if (!ticket.cover(body == null ? 0 : body.length())) {
      ticket.release();
      bodies.refuseOverBudget(req);
      return;
    }
    ServedVersion v;
    try {
      v = Inference.lease(services, model, versionText);
    } catch (ApiError e) {
      ticket.release();
      HttpErrors.send(req, e);
      return;
    }
    ticket.submitted();
    Job job =
        new Job(
            Vertx.currentContext(), req, ticket, v, body == null ? null : body.getBytes(), work);
    job.binaryHeader = req.getHeader(BinaryTensors.HEADER);
    job.submit();
  }

  /** One HTTP request on its way through the inference threads. */
  final class Job extends InferenceJob {
    private final HttpServerRequest req;
    private final Admission.Ticket ticket;
    private final byte[] body;
    private final Protocol protocol;
    private String binaryHeader;
    private BinaryTensors.Answer answer;

    Job(
        Context context,
        HttpServerRequest req,
        Admission.Ticket ticket,
        ServedVersion version,
        byte[] body,
        Protocol p) {
      super(context, services, version);
      this.req = req;
      this.ticket = ticket;
      this.body = body;
      this.protocol = p;
    }

    @Override
    protected Parsed read(ServedVersion v) {
      return protocol.parse(v, body, binaryHeader);
    }

    @Override
    protected void write(ServedVersion v, Parsed request, List<Tensor> outputs) {
      answer = protocol.encode(v, request, outputs);
    }

    @Override
    protected long requestBytes() {
      return body == null ? 0 : body.length;
    }

    /** The ticket holds this request's in-flight slot and body bytes. */
    @Override
    protected void releaseSlot() {
      ticket.release();
    }

    @Override
    public void complete() {
      // answered by the request timeout, or the client went away: counted, the answer dropped
      boolean dropped = req.response().ended() || req.response().closed();
      Throwable failure = settle(dropped);
      if (dropped) {
        return;
      }
      if (failure == null) {
        if (answer.jsonLength() >= 0) {
          req.response()
              .putHeader(CONTENT_TYPE, OCTETS)
              .putHeader(BINARY_HEADER, Integer.toString(answer.jsonLength()));
        } else {
          req.response().putHeader(CONTENT_TYPE, JSON);
        }
        req.response().end(Buffer.buffer(answer.body()));
      } else {
        HttpErrors.send(req, failure);
      }
    }
  }

  static ApiError missing(Services services, String model, long version) {
    if (!services.ready().getAsBoolean()) {
      return ApiError.notReady("not ready: the model catalog is still loading");
    }
    if (version != 0 && services.catalog().slot(model).shadowed(version)) {
      return ApiError.notFound(
          "version " + version + " is a shadow candidate of '" + model + "', not served");
    }
    if (version != 0 && services.catalog().serving(model) != null) {
      return ApiError.notFound("model '" + model + "' has no loaded version " + version);
    }
    return ApiError.notFound("unknown model '" + model + "'");
  }
}
