package dev.modelsync.api;

import static dev.modelsync.api.ProtocolTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 9 over HTTP: every hostile request gets a clear 4xx and nothing else happens. */
@ExtendWith(HarnessExtension.class)
class HostileInputTest {
  static final String INFER = "/v2/models/m/infer";
  static Harness h;
  static Api api;

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("m", 1, 1f);
    api =
        h.startApi(
            Map.of("MODELSYNC_MAX_BODY_BYTES", "4096", "MODELSYNC_REQUEST_TIMEOUT_MS", "700"));
    h.awaitAnswer(api, "m", 1f);
  }

  static String body(String shape, String data) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":"
        + shape
        + ",\"datatype\":\"FP32\",\"data\":"
        + data
        + "}]}";
  }

  @Test
  @DisplayName("a billion-element shape with no data, or more elements than the body holds, is 400")
  void tensorLimits() throws Exception {
    assertError(h.post(api, INFER, body("[250000000,4]", "[]")), 400, "MODELSYNC_MAX_TENSOR_BYTES");
    assertError(h.post(api, INFER, body("[1000,4]", "[1,2,3,4]")), 400, "request body of");
    assertError(h.post(api, INFER, body("[-1,4]", "[1,2,3,4]")), 400, "bad shape");
    assertError(
        h.post(api, INFER, body("[99999999999999999999999,4]", "[1,2,3,4]")), 400, "bad shape");
    assertError(h.post(api, INFER, body("[4611686018427387904,4]", "[1,2,3,4]")), 400, "too large");
    assertError(
        h.post(api, "/v1/models/m:predict", "{\"instances\":" + "[".repeat(40) + "]".repeat(40)),
        400,
        "deeper than");
    assertError(
        h.post(api, INFER, body("[1,4]", "[" + "[".repeat(40) + "1" + "]".repeat(40) + "]")),
        400,
        "deeper than");
    assertEquals(200, h.post(api, INFER, Harness.inferBody(1, 2, 3, 4)).statusCode());
  }

  @Test
  @DisplayName("the body limit names its variable, on the fast path and through the router")
  void bodyLimit() throws Exception {
    String big = "{\"pad\":\"" + "x".repeat(5000) + "\"}";
    assertError(h.post(api, INFER, big), 400, "4096 bytes (MODELSYNC_MAX_BODY_BYTES)");
    assertError(h.post(api, "/v1/models/m:predict", big), 400, "(MODELSYNC_MAX_BODY_BYTES)");
  }

  @Test
  @DisplayName("bad names and versions in URLs are 400 saying why; valid unknown ones 404")
  void namesAndVersions() throws Exception {
    String infer = Harness.inferBody(1, 2, 3, 4).encode();
    for (String path :
        List.of("/v2/models/.hidden/infer", "/v2/models/a%20b/infer", "/v1/models/-x:predict")) {
      assertError(h.post(api, path, infer), 400, "not a valid model name");
    }
    assertError(h.get(api, "/v2/models/_x"), 400, "not a valid model name");
    assertError(h.get(api, "/v2/models/" + "a".repeat(129) + "/ready"), 400, "valid model name");
    assertError(
        h.admin(api, "/v2/repository/models/..%2Fetc/load", null, Harness.TOKEN),
        400,
        "not a valid model name");
    for (String v : List.of("0", "x", "-1", "1.5", "99999999999999999999")) {
      assertError(
          h.post(api, "/v2/models/m/versions/" + v + "/infer", infer),
          400,
          "is not a positive integer");
      assertError(h.get(api, "/v2/models/m/versions/" + v), 400, "is not a positive integer");
    }
    assertError(h.post(api, "/v2/models/m/versions/9/infer", infer), 404, "no loaded version 9");
    assertError(h.post(api, "/v2/models/other/infer", infer), 404, "unknown model 'other'");
  }

  @Test
  @DisplayName("every admin route: 401 without a token, 403 with a wrong one")
  void adminRoutes() throws Exception {
    for (String action : List.of("pin", "rollback", "unpin", "load", "unload")) {
      String path = "/v2/repository/models/m/" + action;
      assertError(h.admin(api, path, "{\"version\":\"1\"}", null), 401, "Bearer");
      assertError(h.admin(api, path, "{\"version\":\"1\"}", "wrong-token"), 403, "wrong");
    }
  }

  @Test
  @DisplayName("CORS is off: no Access-Control headers, preflight or not")
  void noCors() throws Exception {
    for (HttpMethod method : List.of(HttpMethod.OPTIONS, HttpMethod.GET, HttpMethod.POST)) {
      var r =
          h.client
              .request(method, api.httpPort(), "127.0.0.1", "/v2/models/m")
              .putHeader("Origin", "https://evil.example")
              .putHeader("Access-Control-Request-Method", "POST")
              .send()
              .await(10, TimeUnit.SECONDS);
      r.headers()
          .names()
          .forEach(
              name ->
                  assertTrue(
                      !name.toLowerCase().startsWith("access-control-"), method + ": " + name));
    }
  }

  @Test
  @DisplayName("a body that stops arriving is answered 408 within the request timeout")
  void slowBody() throws Exception {
    for (String path : List.of(INFER, "/v1/models/m:predict")) {
      NetSocket socket =
          h.vertx
              .createNetClient()
              .connect(api.httpPort(), "127.0.0.1")
              .await(10, TimeUnit.SECONDS);
      Buffer answer = Buffer.buffer();
      var done = new java.util.concurrent.CompletableFuture<Void>();
      socket.handler(answer::appendBuffer);
      socket.closeHandler(v -> done.complete(null));
      long started = System.nanoTime();
      socket.write(
          "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inputs\":");
      try {
        done.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("connection still open; got: " + answer, e);
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      String text = answer.toString();
      assertTrue(text.startsWith("HTTP/1.1 408"), text);
      assertTrue(text.contains("MODELSYNC_REQUEST_TIMEOUT_MS"), text);
      // waited for the body the whole timeout; no upper bound (the 10 s above only stops a hang)
      assertTrue(ms >= 600, "answered after " + ms + " ms");
    }
  }

  @Test
  @DisplayName(
      "a body in several chunks is read whole: the same answer as in one; past the limit, 400")
  void bodyInChunks() throws Exception {
    String infer = Harness.inferBody(1, 2, 3, 4).encode();
    String whole = h.post(api, INFER, infer).bodyAsString();

    String pieces = rawPost(INFER, infer, 3);
    String big = "{\"pad\":\"" + "x".repeat(5000) + "\"}";
    String tooBig = rawPost(INFER, big, 4);

    assertTrue(pieces.startsWith("HTTP/1.1 200"), pieces);
    assertTrue(pieces.endsWith("\r\n\r\n" + whole), pieces + "\nexpected body: " + whole);
    assertTrue(tooBig.startsWith("HTTP/1.1 400"), tooBig);
    assertTrue(tooBig.contains("4096 bytes (MODELSYNC_MAX_BODY_BYTES)"), tooBig);
  }

  /**
   * POSTs {@code body} in {@code parts} chunks of HTTP/1.1 chunked encoding (no Content-Length, so
   * the limit is met while reading), written 50 ms apart; returns the answer.
   */
  private static String rawPost(String path, String body, int parts) throws Exception {
    NetSocket socket =
        h.vertx.createNetClient().connect(api.httpPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    Buffer answer = Buffer.buffer();
    var done = new java.util.concurrent.CompletableFuture<Void>();
    socket.handler(
        b -> {
          answer.appendBuffer(b);
          String text = answer.toString();
          int head = text.indexOf("\r\n\r\n");
          int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length: ");
          if (head > 0 && at > 0) {
            int length = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)));
            if (answer.length() >= head + 4 + length) {
              done.complete(null);
            }
          }
        });
    socket.closeHandler(v -> done.complete(null));
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    socket
        .write(
            "POST "
                + path
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
        .await(10, TimeUnit.SECONDS);
    int step = (bytes.length + parts - 1) / parts;
    for (int from = 0; from < bytes.length; from += step) {
      Thread.sleep(50);
      int to = Math.min(bytes.length, from + step);
      Buffer chunk =
          Buffer.buffer(Integer.toHexString(to - from) + "\r\n")
              .appendBytes(java.util.Arrays.copyOfRange(bytes, from, to))
              .appendString("\r\n");
      socket.write(chunk).await(10, TimeUnit.SECONDS);
    }
    socket.write("0\r\n\r\n").await(10, TimeUnit.SECONDS);
    done.get(10, TimeUnit.SECONDS);
    socket.close();
    return answer.toString();
  }
}
