package dev.modelsync.api.bench;

import dev.modelsync.api.Api;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                GrpcLoadDriver.class.getName(),
                "127.0.0.1",
                Integer.toString(api.grpcPort()),
                model,
                dims,
                // the driver leaves its first second out: ask for one more
                Integer.toString(seconds + 1),
                Integer.toString(conns))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("the gRPC load driver failed: " + out);
    }
    String line =
        out.lines().filter(l -> l.startsWith("requests=")).reduce((a, b) -> b).orElseThrow();
    Map<String, String> f = new HashMap<>();
    for (String kv : line.trim().split(" ")) {
      int eq = kv.indexOf('=');
      f.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    long requests = Long.parseLong(f.get("requests"));
    return new Wrk.Result(
        requests / Double.parseDouble(f.get("seconds")),
        Double.parseDouble(f.get("p50_ms")) * 1000,
        Double.parseDouble(f.get("p99_ms")) * 1000,
        Long.parseLong(f.get("errors")),
        requests);
  }
}
