package dev.modelsync.api;

import com.google.protobuf.ByteString;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/** ModelInfer through grpc-java (a client that is not the server's Vert.x). */
final class GrpcCalls implements AutoCloseable {
  static final MethodDescriptor<ModelInferRequest, ModelInferResponse> MODEL_INFER =
      MethodDescriptor.<ModelInferRequest, ModelInferResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("inference.GRPCInferenceService/ModelInfer")
          .setRequestMarshaller(ProtoUtils.marshaller(ModelInferRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(ModelInferResponse.getDefaultInstance()))
          .build();

  private final ManagedChannel channel;

  GrpcCalls(int port) {
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
  }

  /** The answer, or a StatusRuntimeException with the server's status. */
  ModelInferResponse infer(ModelInferRequest request) {
    return infer(request, null);
  }

  /** The same, the message compressed with {@code compression} ("gzip") when not null. */
  ModelInferResponse infer(ModelInferRequest request, String compression) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
    if (compression != null) {
      options = options.withCompression(compression);
    }
    return ClientCalls.blockingUnaryCall(channel, MODEL_INFER, options, request);
  }

  /** One FP32 input named "input" of shape [n / 4, 4] as raw_input_contents. */
  static ModelInferRequest.Builder floats(String model, float... x) {
    ByteBuffer raw = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      raw.putFloat(v);
    }
    return raw(model, raw.array(), x.length / 4, 4);
  }

  /** One FP32 input named "input" of {@code shape} whose raw_input_contents are {@code raw}. */
  static ModelInferRequest.Builder raw(String model, byte[] raw, long... shape) {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32");
    for (long d : shape) {
      input.addShape(d);
    }
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input)
        .addRawInputContents(ByteString.copyFrom(raw));
  }

  /** The floats of an answer's first raw output. */
  static float[] firstOutput(ModelInferResponse response) {
    ByteBuffer b =
        response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
