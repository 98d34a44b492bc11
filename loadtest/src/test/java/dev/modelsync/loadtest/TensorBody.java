package dev.modelsync.loadtest;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * KServe v2 infer request bodies with fresh random data for one input tensor, so a server cannot
 * answer from a cache keyed on the body.
 */
final class TensorBody {

  /**
   * Exactly the datatypes the api's JSON protocol takes (its {@code DataType}); whether a model
   * takes one depends on the model and engine (ONNX Runtime has no UINT16/32/64).
   */
  static final Set<String> SUPPORTED =
      Set.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
          "BF16", "FP32", "FP64", "BYTES");

  private final String prefix;
  private final String datatype;
  private final int elements;
  private final AtomicLong ids = new AtomicLong();

  TensorBody(String input, String datatype, int[] shape) {
    this.datatype = datatype;
    this.elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    String shapeJson = Arrays.toString(shape).replace(" ", "");
    this.prefix =
        "\"inputs\":[{\"name\":\""
            + input
            + "\",\"shape\":"
            + shapeJson
            + ",\"datatype\":\""
            + datatype
            + "\",\"data\":[";
  }

  static boolean supports(String datatype) {
    return SUPPORTED.contains(datatype);
  }

  String next() {
    var random = ThreadLocalRandom.current();
    var json = new StringBuilder(prefix.length() + 16 + elements * 8);
    json.append("{\"id\":\"").append(ids.incrementAndGet()).append("\",").append(prefix);
    for (int i = 0; i < elements; i++) {
      if (i > 0) {
        json.append(',');
      }
      appendValue(json, random);
    }
    return json.append("]}]}").toString();
  }

  private void appendValue(StringBuilder json, ThreadLocalRandom random) {
    switch (datatype) {
      case "BOOL" -> json.append(random.nextBoolean());
      case "BYTES" -> json.append("\"w").append(random.nextInt(0, 1000)).append('"');
      case "FP16", "BF16", "FP32", "FP64" ->
          json.append(Math.round(random.nextDouble(0, 10) * 1000) / 1000.0);
      // Small non-negative integers fit every integer type, signed or not, and most vocabularies.
      default -> json.append(random.nextInt(0, 10));
    }
  }
}
