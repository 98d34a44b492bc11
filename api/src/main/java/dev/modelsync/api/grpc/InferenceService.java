package dev.modelsync.api.grpc;

import com.google.protobuf.Message;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import dev.modelsync.api.grpc.oip.ModelMetadataRequest;
import dev.modelsync.api.grpc.oip.ModelMetadataResponse;
import dev.modelsync.api.grpc.oip.ModelMetadataResponse.TensorMetadata;
import dev.modelsync.api.grpc.oip.ModelReadyRequest;
import dev.modelsync.api.grpc.oip.ModelReadyResponse;
import dev.modelsync.api.grpc.oip.ServerLiveRequest;
import dev.modelsync.api.grpc.oip.ServerLiveResponse;
import dev.modelsync.api.grpc.oip.ServerMetadataRequest;
import dev.modelsync.api.grpc.oip.ServerMetadataResponse;
import dev.modelsync.api.grpc.oip.ServerReadyRequest;
import dev.modelsync.api.grpc.oip.ServerReadyResponse;
import dev.modelsync.api.http.Inference;
import dev.modelsync.api.http.Services;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.List;
import java.util.function.Function;

/**
 * The Open Inference Protocol's {@code inference.GRPCInferenceService}: health, metadata and
 * ModelInfer over the catalog, admission limit and inference threads the HTTP endpoints use.
 * Methods are served by name with the generated messages' parsers (no generated stubs); a method
 * not registered here is answered UNIMPLEMENTED by Vert.x.
 */
final class InferenceService {
  static final ServiceName NAME = ServiceName.create("inference.GRPCInferenceService");

  private final Services services;
  private final ModelInfer infer;

  InferenceService(Vertx vertx, Services services) {
    this.services = services;
    this.infer = new ModelInfer(vertx, services);
  }

  /** Registers every method on the server. */
  void bind(GrpcServer server) {
    unary(
        server,
        "ServerLive",
        ServerLiveRequest.getDefaultInstance(),
        r -> ServerLiveResponse.newBuilder().setLive(true).build());
    unary(
        server,
        "ServerReady",
        ServerReadyRequest.getDefaultInstance(),
        r -> ServerReadyResponse.newBuilder().setReady(services.ready().getAsBoolean()).build());
    unary(server, "ModelReady", ModelReadyRequest.getDefaultInstance(), this::modelReady);
    unary(
        server,
        "ServerMetadata",
        ServerMetadataRequest.getDefaultInstance(),
        r ->
            // the repository extension is HTTP only: the spec's proto has no gRPC method for it
            ServerMetadataResponse.newBuilder()
                .setName(Inference.SERVER_NAME)
                .setVersion(Inference.SERVER_VERSION)
                .build());
    unary(server, "ModelMetadata", ModelMetadataRequest.getDefaultInstance(), this::modelMetadata);
    server.callHandler(
        ServiceMethod.server(
            NAME,
            "ModelInfer",
            GrpcMessageEncoder.<ModelInferResponse>encoder(),
            GrpcMessageDecoder.<ModelInferRequest>decoder(ModelInferRequest.getDefaultInstance())),
        infer::handle);
  }

  /** Unknown model or version: NOT_FOUND, like every other method; ready is true otherwise. */
  private ModelReadyResponse modelReady(ModelReadyRequest r) {
    Inference.leaseServing(services, r.getName(), r.getVersion()).release();
    return ModelReadyResponse.newBuilder().setReady(true).build();
  }

  private ModelMetadataResponse modelMetadata(ModelMetadataRequest r) {
    ServedVersion v = Inference.leaseServing(services, r.getName(), r.getVersion());
    try {
      LoadedModel loaded = v.loaded();
      ModelMetadataResponse.Builder out =
          ModelMetadataResponse.newBuilder().setName(r.getName()).setPlatform(loaded.platform());
      services
          .catalog()
          .slot(r.getName())
          .served()
          .keySet()
          .forEach(k -> out.addVersions(k.toString()));
      signature(loaded.inputs()).forEach(out::addInputs);
      signature(loaded.outputs()).forEach(out::addOutputs);
      return out.build();
    } finally {
      v.release();
    }
  }

  private static List<TensorMetadata> signature(List<TensorInfo> tensors) {
    return tensors.stream()
        .map(
            t -> {
              TensorMetadata.Builder b =
                  TensorMetadata.newBuilder().setName(t.name()).setDatatype(t.datatype());
              for (long d : t.shape()) {
                b.addShape(d);
              }
              return b.build();
            })
        .toList();
  }

  /** A method answered on the event loop: it only reads the catalog. */
  private static <Q extends Message, A extends Message> void unary(
      GrpcServer server, String method, Q prototype, Function<Q, A> answer) {
    server.callHandler(
        ServiceMethod.server(
            NAME,
            method,
            GrpcMessageEncoder.<A>encoder(),
            GrpcMessageDecoder.<Q>decoder(prototype)),
        (GrpcServerRequest<Q, A> call) ->
            call.handler(
                request -> {
                  A reply;
                  try {
                    reply = answer.apply(request);
                  } catch (RuntimeException e) {
                    GrpcErrors.send(call.response(), method, e);
                    return;
                  }
                  call.response().end(reply);
                }));
  }
}
