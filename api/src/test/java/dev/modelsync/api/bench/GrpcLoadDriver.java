package dev.modelsync.api.bench;

import com.google.protobuf.UnsafeByteOperations;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gRPC load on ModelInfer with grpc-java (not the server's Vert.x): {@code concurrency} calls
 * outstanding at all times on one HTTP/2 connection, each answered call replaced by the next, for a
 * fixed time. FP32 input of the given shape as raw_input_contents.
 *
 * <pre>
 * GrpcLoadDriver HOST PORT MODEL SHAPE SECONDS CONCURRENCY     e.g. 127.0.0.1 8001 demo 1x4 10 16
 * </pre>
 *
 * Prints one line, {@code requests=N seconds=S errors=E p50_ms=.. p99_ms=..}; {@link GrpcBenchmark}
 * runs it as a child process so that its own CPU time is the server's alone.
 */
public final class GrpcLoadDriver {
  static final MethodDescriptor<ModelInferRequest, ModelInferResponse> MODEL_INFER =
      MethodDescriptor.<ModelInferRequest, ModelInferResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("inference.GRPCInferenceService/ModelInfer")
          .setRequestMarshaller(ProtoUtils.marshaller(ModelInferRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(ModelInferResponse.getDefaultInstance()))
          .build();

  /** What a run measured. */
  public record Result(long requests, long errors, double seconds, double p50Ms, double p99Ms) {
    @Override
    public String toString() {
      return String.format(
          "requests=%d seconds=%.2f errors=%d p50_ms=%.3f p99_ms=%.3f",
          requests, seconds, errors, p50Ms, p99Ms);
    }
  }

  private GrpcLoadDriver() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      throw new IllegalArgumentException(
          "usage: GrpcLoadDriver HOST PORT MODEL SHAPE(e.g. 1x3x224x224) SECONDS CONCURRENCY");
    }
    long[] shape = Arrays.stream(args[3].split("x")).mapToLong(Long::parseLong).toArray();
    Result r =
        run(
            args[0],
            Integer.parseInt(args[1]),
            args[2],
            shape,
            Duration.ofSeconds(Long.parseLong(args[4])),
            Integer.parseInt(args[5]));
    System.out.println(r);
  }

  /** Runs the load; the first second is a warm-up, not counted. */
  public static Result run(
      String host, int port, String model, long[] shape, Duration duration, int concurrency)
      throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(host, port)
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    try {
      ModelInferRequest request = request(model, shape);
      load(channel, request, Duration.ofSeconds(1), concurrency);
      return load(channel, request, duration, concurrency);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static ModelInferRequest request(String model, long[] shape) {
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    ByteBuffer raw = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      raw.putFloat((i % 255) / 255f);
    }
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32");
    Arrays.stream(shape).forEach(input::addShape);
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input)
        .addRawInputContents(UnsafeByteOperations.unsafeWrap(raw.array()))
        .build();
  }

  private static Result load(
      ManagedChannel channel, ModelInferRequest request, Duration duration, int concurrency)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(concurrency);
    List<Slot> slots = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      slots.add(new Slot(channel, request, end, errors, done));
    }
    slots.forEach(Slot::next);
    if (!done.await(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls still outstanding 60 s after the end");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // every slot counted down after its last call: their arrays are safe to read now
    long[] all =
        slots.stream().flatMapToLong(s -> Arrays.stream(s.took, 0, s.count)).sorted().toArray();
    return new Result(
        all.length, errors.get(), seconds, percentile(all, 0.50), percentile(all, 0.99));
  }

  private static double percentile(long[] sorted, double p) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }

  /** One outstanding call at a time; its calls are sequential, so its list needs no lock. */
  private static final class Slot implements StreamObserver<ModelInferResponse> {
    private final ManagedChannel channel;
    private final ModelInferRequest request;
    private final long end;
    private final AtomicLong errors;
    private final CountDownLatch done;
    private long[] took = new long[1024];
    private int count;
    private long sent;

    Slot(
        ManagedChannel channel,
        ModelInferRequest request,
        long end,
        AtomicLong errors,
        CountDownLatch done) {
      this.channel = channel;
      this.request = request;
      this.end = end;
      this.errors = errors;
      this.done = done;
    }

    void next() {
      if (System.nanoTime() >= end) {
        done.countDown();
        return;
      }
      sent = System.nanoTime();
      ClientCalls.asyncUnaryCall(channel.newCall(MODEL_INFER, CallOptions.DEFAULT), request, this);
    }

    @Override
    public void onNext(ModelInferResponse value) {
      if (count == took.length) {
        took = Arrays.copyOf(took, count * 2);
      }
      took[count++] = System.nanoTime() - sent;
    }

    @Override
    public void onError(Throwable t) {
      errors.incrementAndGet();
      next();
    }

    @Override
    public void onCompleted() {
      next();
    }
  }
}
