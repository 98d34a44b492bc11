package dev.modelsync.standalone.bench;

import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Save-to-serve latency through the whole system in one process (embedded Kafka, agent, api): from
 * the moment a version directory is renamed into the models directory to the first infer answer
 * computed by that version. Prints p50/p90/p99 over N saves (default 50) and the start-up time.
 *
 * <pre>mvn -q -B -o -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.bench.SaveToServeBenchmark [-Dexec.args=50]</pre>
 */
public final class SaveToServeBenchmark {
  private SaveToServeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int saves = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path dir = Files.createTempDirectory("modelsync-bench");
    long t0 = System.nanoTime();
    try (var system = StandaloneHarness.start(dir)) {
      long startMs = (System.nanoTime() - t0) / 1_000_000;
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest infer =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + system.apiPort() + "/v2/models/bench/infer"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,1,1,1]}]}"))
              .build();
      double[] millis = new double[saves];
      for (int v = 1; v <= saves + 3; v++) {
        float scale = v; // output[0] = scale * 4: each version answers differently
        String expected = "[" + (scale * 4) + ",";
        byte[] model = OnnxModelWriter.affine(scale);
        long renamed = StandaloneHarness.saveVersion(system.modelsDir(), "bench", v, model);
        long deadline = renamed + 10_000_000_000L;
        while (true) {
          HttpResponse<String> r = http.send(infer, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && r.body().contains("\"data\":" + expected)) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "version " + v + " never served; last answer " + r.body());
          }
        }
        long served = System.nanoTime();
        if (v > 3) { // the first saves warm the JIT up
          millis[v - 4] = (served - renamed) / 1e6;
        }
        Thread.sleep(50);
      }
      Arrays.sort(millis);
      System.out.printf(
          Locale.ROOT,
          "start-up (kafka+agent+api, in-process): %d ms%nsave-to-serve over %d saves: p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n",
          startMs,
          saves,
          pct(millis, 50),
          pct(millis, 90),
          pct(millis, 99),
          millis[millis.length - 1]);
    }
  }

  static double pct(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
