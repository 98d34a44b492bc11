package dev.modelsync.api.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs wrk (a separate process, so its CPU is not the api's) with a POST body read from a file,
 * which may be binary, and parses the one RESULT line its script prints.
 */
final class Wrk {
  /** Requests/s, latency p50 and p99 in µs, errors, and requests completed. */
  record Result(double perSecond, double p50Micros, double p99Micros, long errors, long requests) {}

  private Wrk() {}

  static Result run(
      int port, String path, Path body, Map<String, String> headers, String duration, int conns)
      throws Exception {
    Path script = Files.createTempFile("modelsync-wrk", ".lua");
    try {
      Files.writeString(script, script(body, headers));
      Process p =
          new ProcessBuilder(
                  "wrk",
                  "-t" + Math.min(2, conns),
                  "-c" + conns,
                  "-d" + duration,
                  "--timeout",
                  "30s",
                  "-s",
                  script.toString(),
                  "http://127.0.0.1:" + port + path)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("wrk failed: " + out);
      }
      for (String line : out.split("\n")) {
        if (line.startsWith("RESULT ")) {
          String[] f = line.trim().split(" ");
          return new Result(
              Double.parseDouble(f[1]),
              Double.parseDouble(f[2]),
              Double.parseDouble(f[3]),
              Long.parseLong(f[4]),
              Long.parseLong(f[5]));
        }
      }
      throw new IllegalStateException("no RESULT line from wrk: " + out);
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static String script(Path body, Map<String, String> headers) {
    StringBuilder lua = new StringBuilder();
    lua.append("wrk.method = \"POST\"\n");
    lua.append("local f = io.open(\"").append(body).append("\", \"rb\")\n");
    lua.append("wrk.body = f:read(\"*a\")\nf:close()\n");
    headers.forEach(
        (k, v) ->
            lua.append("wrk.headers[\"").append(k).append("\"] = \"").append(v).append("\"\n"));
    lua.append(
        """
        done = function(summary, latency, requests)
          local errors = summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.status + summary.errors.timeout
          io.write(string.format("RESULT %.1f %d %d %d %d\\n",
            summary.requests / (summary.duration / 1e6),
            latency:percentile(50), latency:percentile(99), errors, summary.requests))
        end
        """);
    return lua.toString();
  }
}
