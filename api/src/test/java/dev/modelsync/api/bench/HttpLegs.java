package dev.modelsync.api.bench;

import dev.modelsync.api.Api;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** The HTTP legs of {@link ProtocolBenchmark}: KServe JSON, and Triton's binary tensors. */
final class HttpLegs {
  private HttpLegs() {}

  private static String shapeJson(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }

  /** {@code "data": [...]} in JSON, answered in JSON. */
  static final class Json implements ProtocolBenchmark.Leg {
    @Override
    public String name() {
      return "json";
    }

    @Override
    public Wrk.Result run(
        Api api, String model, long[] shape, float[] input, String duration, int conns)
        throws Exception {
      StringBuilder body = new StringBuilder(input.length * 12);
      body.append("{\"inputs\":[{\"name\":\"input\",\"shape\":")
          .append(shapeJson(shape))
          .append(",\"datatype\":\"FP32\",\"data\":[");
      for (int i = 0; i < input.length; i++) {
        body.append(i == 0 ? "" : ",").append(input[i]);
      }
      body.append("]}]}");
      Path file = Files.createTempFile("modelsync-json", ".body");
      try {
        Files.writeString(file, body);
        return Wrk.run(
            api.httpPort(),
            "/v2/models/" + model + "/infer",
            file,
            Map.of("Content-Type", "application/json"),
            duration,
            conns);
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  /** Raw little-endian input after the JSON header, all outputs asked for as binary. */
  static final class Binary implements ProtocolBenchmark.Leg {
    @Override
    public String name() {
      return "binary";
    }

    @Override
    public Wrk.Result run(
        Api api, String model, long[] shape, float[] input, String duration, int conns)
        throws Exception {
      byte[] json =
          ("{\"inputs\":[{\"name\":\"input\",\"shape\":"
                  + shapeJson(shape)
                  + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":"
                  + input.length * 4
                  + "}}],\"parameters\":{\"binary_data_output\":true}}")
              .getBytes(StandardCharsets.UTF_8);
      ByteBuffer body = ByteBuffer.allocate(json.length + input.length * 4);
      body.put(json).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(input);
      Path file = Files.createTempFile("modelsync-binary", ".body");
      try {
        Files.write(file, body.array());
        return Wrk.run(
            api.httpPort(),
            "/v2/models/" + model + "/infer",
            file,
            Map.of(
                "Content-Type",
                "application/octet-stream",
                "Inference-Header-Content-Length",
                Integer.toString(json.length)),
            duration,
            conns);
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }
}
