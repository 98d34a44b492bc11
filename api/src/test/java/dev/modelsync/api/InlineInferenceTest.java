package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17: a small request to a version whose runs are typically short runs on the event loop that
 * read it (no hop to an inference thread and back); large requests, versions not yet measured and
 * {@code MODELSYNC_INLINE_MAX_MICROS=0} always hop. The answers are the same either way.
 */
@ExtendWith(HarnessExtension.class)
class InlineInferenceTest {
  private static final Pattern INLINE =
      Pattern.compile("(?m)^modelsync_infer_inline_total\\{[^}]*} ([0-9.E]+)$");

  @Test
  @DisplayName("after its first runs are measured, a fast model's small requests run inline")
  void fastModelRunsInline(Harness h) throws Exception {
    // a bound far above any run here, so that only the measuring and the size decide
    Api api = h.startApi(Map.of("MODELSYNC_INLINE_MAX_MICROS", "100000"));
    h.save("lin", 1, 2f);
    h.awaitAnswer(api, "lin", 2f);
    long before = inlineCount(h, api);
    assertEquals(0, before, "nothing runs inline before 16 runs of the version were timed");
    for (int i = 0; i < 40; i++) {
      assertEquals(
          Harness.numbers(Harness.expected(2f)), Harness.numbers(h.infer(api, "lin")), "" + i);
    }
    long inline = inlineCount(h, api);
    assertTrue(inline >= 20, "at least the requests after the first 16 timed runs: " + inline);

    // over 16 KiB (valid JSON, padded with spaces): parsed and run on an inference thread
    String padded = Harness.inferBody(1, 2, 3, 4).encode() + " ".repeat(17 * 1024);
    var big =
        h.client
            .post(api.httpPort(), "127.0.0.1", "/v2/models/lin/infer")
            .putHeader("content-type", "application/json")
            .sendBuffer(Buffer.buffer(padded))
            .await(10, TimeUnit.SECONDS);
    assertEquals(200, big.statusCode(), big.bodyAsString());
    assertEquals(inline, inlineCount(h, api), "a 17 KiB request ran inline");
  }

  @Test
  @DisplayName("MODELSYNC_INLINE_MAX_MICROS=0 runs every request on the inference threads")
  void zeroNeverInlines(Harness h) throws Exception {
    Api api = h.startApi(Map.of("MODELSYNC_INLINE_MAX_MICROS", "0"));
    h.save("lin", 1, 3f);
    h.awaitAnswer(api, "lin", 3f);
    for (int i = 0; i < 40; i++) {
      assertEquals(Harness.numbers(Harness.expected(3f)), Harness.numbers(h.infer(api, "lin")));
    }
    assertEquals(0, inlineCount(h, api));
  }

  private static long inlineCount(Harness h, Api api) throws Exception {
    String metrics = h.get(api, "/metrics").bodyAsString();
    Matcher m = INLINE.matcher(metrics);
    assertTrue(m.find(), "modelsync_infer_inline_total is exported:\n" + metrics);
    return (long) Double.parseDouble(m.group(1));
  }
}
