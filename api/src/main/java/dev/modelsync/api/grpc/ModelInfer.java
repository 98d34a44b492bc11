package dev.modelsync.api.grpc;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import dev.modelsync.api.http.Admission;
import dev.modelsync.api.http.ApiError;
import dev.modelsync.api.http.Inference;
import dev.modelsync.api.http.Services;
import dev.modelsync.api.inference.InferenceJob;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ModelInfer: admitted like an HTTP infer before it is decoded (an in-flight slot, its encoded
 * bytes charged to {@code MODELSYNC_MAX_BUFFERED_BYTES}, a lease on the version), then read,
 * batched and run on the shared inference threads, answered on the event loop. A call not answered
 * within {@code MODELSYNC_REQUEST_TIMEOUT_MS} gets DEADLINE_EXCEEDED (HTTP answers 503 then); the
 * run finishes in the background and its answer is dropped. One instance per event loop: like
 * {@code RequestTimeout}, the deadlines are swept by a periodic task instead of a timer per call.
 */
final class ModelInfer {
  private static final String METHOD = "ModelInfer";

  private final Vertx vertx;
  private final Services services;
  private final Admission admission;
  private final long timeoutMs;
  private final long sweepMs;
  private List<Call> pending = new ArrayList<>();
  private List<Call> spare = new ArrayList<>();
  private boolean sweeping;

  ModelInfer(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
    this.admission = Admission.of(services);
    this.timeoutMs = services.requestTimeoutMs();
    this.sweepMs = Math.max(10, Math.min(100, timeoutMs / 10));
  }

  void handle(GrpcServerRequest<ModelInferRequest, ModelInferResponse> call) {
    // the encoded message: its bytes are charged before it is decoded (HTTP bodies as they arrive)
    call.messageHandler(message -> admit(call, message));
  }

  private void admit(
      GrpcServerRequest<ModelInferRequest, ModelInferResponse> call, GrpcMessage message) {
    Admission.Ticket ticket;
    try {
      ticket = admission.admitReceived(message.payload().length());
    } catch (ApiError e) {
      services.metrics().overloaded();
      GrpcErrors.send(call.response(), METHOD, e);
      return;
    }
    ModelInferRequest request;
    ServedVersion version;
    try {
      request = InferMessages.decode(message, ticket, services.maxBodyBytes());
      version = Inference.lease(services, request.getModelName(), request.getModelVersion());
    } catch (RuntimeException e) {
      ticket.release();
      GrpcErrors.send(call.response(), METHOD, e);
      return;
    }
    Call job = new Call(call, request, version, ticket);
    watch(job);
    job.submit();
  }

  private void watch(Call job) {
    if (!sweeping) {
      sweeping = true; // started on this event loop, so the sweep runs on it too
      vertx.setPeriodic(sweepMs, id -> sweep());
    }
    pending.add(job);
  }

  private void sweep() {
    if (pending.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<Call> current = pending;
    pending = spare;
    for (Call c : current) {
      if (c.ended) {
        continue;
      }
      if (now - c.deadline >= 0) {
        c.ended = true;
        GrpcErrors.end(
            c.call.response(),
            GrpcStatus.DEADLINE_EXCEEDED,
            "the request was not answered within "
                + timeoutMs
                + " ms (MODELSYNC_REQUEST_TIMEOUT_MS)");
      } else {
        pending.add(c);
      }
    }
    current.clear();
    spare = current;
  }

  /**
   * One ModelInfer call on the inference threads. {@link #ended} is read on the event loop only.
   */
  private final class Call extends InferenceJob {
    private final GrpcServerRequest<ModelInferRequest, ModelInferResponse> call;
    private final ModelInferRequest request;
    private final Admission.Ticket ticket;
    private final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    private ModelInferResponse answer;
    private boolean ended;

    Call(
        GrpcServerRequest<ModelInferRequest, ModelInferResponse> call,
        ModelInferRequest request,
        ServedVersion version,
        Admission.Ticket ticket) {
      super(vertx.getOrCreateContext(), services, version);
      this.call = call;
      this.request = request;
      this.ticket = ticket;
    }

    /** The ticket holds this call's in-flight slot and message bytes. */
    @Override
    protected void releaseSlot() {
      ticket.release();
    }

    @Override
    protected long requestBytes() {
      return request.getSerializedSize();
    }

    @Override
    protected Parsed read(ServedVersion v) {
      return TensorMessages.read(request, v.loaded(), services.maxTensorBytes());
    }

    @Override
    protected void write(ServedVersion v, Parsed parsed, List<Tensor> outputs) {
      answer = TensorMessages.write(v.model(), v.version(), (String) parsed.extra(), outputs);
    }

    @Override
    public void complete() {
      // ended: answered by the deadline sweep; a client that went away fails the write quietly
      Throwable failure = settle(ended);
      if (ended) {
        return;
      }
      ended = true;
      if (failure == null) {
        call.response().end(answer);
      } else {
        GrpcErrors.send(call.response(), METHOD, failure);
      }
    }
  }
}
