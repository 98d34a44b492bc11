package dev.modelsync.api.http;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import java.util.List;

/**
 * Whatever body a client sends, the KServe v2 and TF Serving decoders either return a request whose
 * tensors hold exactly as many values as their shapes say, or fail with the codecs' 400 {@link
 * ApiError}: never another exception, an error or an allocation out of proportion to the body. Runs
 * as a coverage-guided fuzzer for {@code maxDuration} in the build's {@code fuzz} surefire
 * execution (JAZZER_FUZZ=1); otherwise replays the seeds and past findings in {@code
 * InferDecoderFuzzTestInputs/}.
 */
class InferDecoderFuzzTest {
  /** Small enough that a decoder ignoring it would fail visibly, not slowly. */
  private static final long MAX_TENSOR_BYTES = 1 << 20;

  private static final List<TensorInfo> ONE =
      List.of(new TensorInfo("input", "FP32", new long[] {-1, 4}));
  private static final List<TensorInfo> ALL_TYPES =
      List.of(
          new TensorInfo("ids", "INT64", new long[] {-1, -1}),
          new TensorInfo("flag", "BOOL", new long[] {-1}),
          new TensorInfo("text", "BYTES", new long[] {-1}),
          new TensorInfo("i32", "INT32", new long[] {2, -1}),
          new TensorInfo("f64", "FP64", new long[] {}));
  private static final List<TensorInfo> OUT =
      List.of(new TensorInfo("output", "FP32", new long[] {-1, 3}));

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({
    "\"inputs\"",
    "\"outputs\"",
    "\"instances\"",
    "\"id\"",
    "\"name\"",
    "\"shape\"",
    "\"datatype\"",
    "\"data\"",
    "\"parameters\"",
    "\"input\"",
    "\"output\"",
    "\"ids\"",
    "\"flag\"",
    "\"text\"",
    "\"i32\"",
    "\"f64\"",
    "\"FP32\"",
    "\"FP64\"",
    "\"INT32\"",
    "\"INT64\"",
    "\"BOOL\"",
    "\"BYTES\"",
    "\"FP16\"",
    "[1,4]",
    "[[1,2,3,4]]",
    "[-1]",
    "[]",
    "null",
    "true",
    "false",
    "1e999",
    "-0.0",
    "9223372036854775807",
    "99999999999999999999",
    "2147483648",
    "1000000000"
  })
  void decodersFailOnlyWithBadRequest(byte[] body) {
    for (List<TensorInfo> signature : List.of(ONE, ALL_TYPES)) {
      try {
        check(KServeCodec.parseInfer(body, signature, OUT, MAX_TENSOR_BYTES).inputs());
      } catch (ApiError e) {
        badRequest(e);
      }
      try {
        check(TfServingCodec.parse(body, signature, MAX_TENSOR_BYTES).inputs());
      } catch (ApiError e) {
        badRequest(e);
      }
    }
  }

  private static void check(List<Tensor> inputs) {
    for (Tensor t : inputs) {
      if (Tensor.elementCount(t.shape()) != t.size() || t.size() * 8L > MAX_TENSOR_BYTES) {
        throw new AssertionError("decoded " + t + " with " + t.size() + " values");
      }
    }
  }

  private static void badRequest(ApiError e) {
    if (e.status() != 400 || e.getMessage() == null || e.getMessage().isBlank()) {
      throw new AssertionError("not a 400 with a message: " + e.status() + " " + e.getMessage());
    }
  }
}
