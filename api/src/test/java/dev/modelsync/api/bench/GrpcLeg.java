package dev.modelsync.api.bench;

import dev.modelsync.api.Api;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The gRPC leg of {@link ProtocolBenchmark}: ModelInfer with {@code raw_input_contents}, driven by
 * {@link GrpcLoadDriver} in a child JVM (as wrk is another process for the HTTP legs), so the CPU
 * the benchmark's JVM spends meanwhile is the server's.
 */
final class GrpcLeg implements ProtocolBenchmark.Leg {
  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public Wrk.Result run(
      Api api, String model, long[] shape, float[] input, String duration, int conns)
      throws Exception {
    int seconds = Integer.parseInt(duration.replace("s", ""));
    String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x"));
    // the driver leaves its first second out: ask for one more
    Map<String, String> f =
        GrpcBenchmark.fields(GrpcBenchmark.driver(api.grpcPort(), model, dims, seconds + 1, conns));
    long requests = Long.parseLong(f.get("requests"));
    return new Wrk.Result(
        requests / Double.parseDouble(f.get("seconds")),
        Double.parseDouble(f.get("p50_ms")) * 1000,
        Double.parseDouble(f.get("p99_ms")) * 1000,
        Long.parseLong(f.get("errors")),
        requests);
  }
}
