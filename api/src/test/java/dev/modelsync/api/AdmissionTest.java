package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.grpc.oip.ModelInferRequest;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 16, from outside over plain sockets: requests are admitted before their bodies, no buffer
 * is sized from a header, and what the HTTP codec refuses still gets the JSON error shape. gRPC
 * messages (grpc-java) share the byte budget.
 */
@ExtendWith(HarnessExtension.class)
class AdmissionTest {
  static final int MIB = 1 << 20;
  static final int MAX_IN_FLIGHT = 32;
  static Harness h;
  static Api api;

  @BeforeAll
  static void start(Harness harness) throws Exception {
    h = harness;
    h.save("m", 1, 1f);
    api =
        h.startApi(
            Map.of(
                "MODELSYNC_MAX_IN_FLIGHT", String.valueOf(MAX_IN_FLIGHT),
                "MODELSYNC_MAX_BUFFERED_BYTES", String.valueOf(40 * MIB),
                "MODELSYNC_REQUEST_TIMEOUT_MS", "60000"));
    h.awaitAnswer(api, "m", 1f);
  }

  @Test
  @DisplayName(
      "connections announcing 16 MiB and sending nothing hold a slot, no memory; past the slots"
          + " they are refused at once, and a normal infer answers meanwhile")
  void headerFlood() throws Exception {
    long heapBefore = heapAfterGc();
    List<Socket> flood = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      flood.add(announce(16 * MIB));
    }
    Harness.eventually("24 requests admitted before their bodies", () -> gauge("in_flight") == 24);
    long grown = heapAfterGc() - heapBefore;
    assertTrue(grown < 96L * MIB, "heap grew by " + grown / MIB + " MiB for 384 MiB announced");
    assertEquals(0, gauge("body_bytes"), "no body bytes are held for bodies that never came");
    assertEquals(Harness.numbers(Harness.expected(1f)), Harness.numbers(h.infer(api, "m")));

    List<Socket> more = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      more.add(announce(16 * MIB));
    }
    int refused = 0;
    for (Socket s : more) {
      String answer = answer(s);
      if (answer.startsWith("HTTP/1.1 503")) {
        assertTrue(answer.contains("MODELSYNC_MAX_IN_FLIGHT"), answer);
        refused++;
      } else {
        assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      }
    }
    assertEquals(10 - (MAX_IN_FLIGHT - 24), refused, "refused past " + MAX_IN_FLIGHT + " slots");
    for (Socket s : flood) {
      String answer = answer(s);
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains("{\"error\""), answer);
    }
    Harness.eventually("every slot given back", () -> gauge("in_flight") == 0);
  }

  @Test
  @DisplayName(
      "body bytes count against MODELSYNC_MAX_BUFFERED_BYTES as they arrive: past it a request is"
          + " refused mid-body, and one announcing more than is left is refused before its body")
  void byteBudget() throws Exception {
    Socket first = announce(16 * MIB);
    Socket second = announce(16 * MIB);
    byte[] part = new byte[15 * MIB];
    first.getOutputStream().write(part);
    second.getOutputStream().write(part);
    Harness.eventually("30 MiB of bodies held", () -> gauge("body_bytes") >= 30L * MIB);

    String before = answer(announce(16 * MIB));
    assertTrue(before.startsWith("HTTP/1.1 503"), before);
    assertTrue(before.contains("MODELSYNC_MAX_BUFFERED_BYTES"), before);

    long refusedBefore = counter("modelsync_infer_overloaded_total");
    Socket third = announce(MIB * 12);
    String midBody;
    try {
      for (int i = 0; i < 11; i++) {
        third.getOutputStream().write(new byte[MIB]);
      }
      midBody = answer(third);
    } catch (IOException e) {
      // the api may drop the connection while the rest of the body is still being sent
      midBody = "connection dropped: " + e;
    }
    assertTrue(
        midBody.startsWith("connection dropped")
            || midBody.startsWith("HTTP/1.1 503")
                && midBody.contains("MODELSYNC_MAX_BUFFERED_BYTES"),
        midBody);
    assertEquals(
        refusedBefore + 1,
        counter("modelsync_infer_overloaded_total"),
        "refused mid-body: " + midBody);
    assertTrue(gauge("body_bytes") <= 40L * MIB, "never more than the budget held");

    first.close();
    second.close();
    Harness.eventually("the budget given back", () -> gauge("body_bytes") == 0);
    Harness.eventually("every slot given back", () -> gauge("in_flight") == 0);
  }

  @Test
  @DisplayName(
      "a gRPC ModelInfer message is charged to MODELSYNC_MAX_BUFFERED_BYTES before it is decoded:"
          + " past what HTTP bodies left it is RESOURCE_EXHAUSTED, and given back when it is done")
  void grpcByteBudget() throws Exception {
    // 12 MiB of raw FP32 for a [1, 4] input: admitted and decoded, then refused for its size
    ModelInferRequest big = GrpcCalls.raw("m", new byte[12 * MIB], 1, 4).build();
    try (GrpcCalls grpc = new GrpcCalls(api.grpcPort())) {
      assertEquals(Code.INVALID_ARGUMENT, refusal(grpc, big, null).getCode());
      Harness.eventually("the budget given back", () -> gauge("body_bytes") == 0);

      Socket first = announce(16 * MIB);
      Socket second = announce(16 * MIB);
      byte[] part = new byte[15 * MIB];
      first.getOutputStream().write(part);
      second.getOutputStream().write(part);
      Harness.eventually("30 MiB of bodies held", () -> gauge("body_bytes") >= 30L * MIB);

      long refusedBefore = counter("modelsync_infer_overloaded_total");
      Status over = refusal(grpc, big, null);
      assertEquals(Code.RESOURCE_EXHAUSTED, over.getCode(), over.toString());
      assertTrue(over.getDescription().contains("MODELSYNC_MAX_BUFFERED_BYTES"), over.toString());
      assertEquals(refusedBefore + 1, counter("modelsync_infer_overloaded_total"));
      float[] small = GrpcCalls.firstOutput(grpc.infer(GrpcCalls.floats("m", 1, 2, 3, 4).build()));
      assertArrayEquals(new float[] {10f, 11f, 12f}, small, "a small message still fits");

      first.close();
      second.close();
      Harness.eventually("the budget given back", () -> gauge("body_bytes") == 0);
      Harness.eventually("every slot given back", () -> gauge("in_flight") == 0);
    }
  }

  @Test
  @DisplayName(
      "a gzip ModelInfer message is inflated within MODELSYNC_MAX_BODY_BYTES: a normal one answers,"
          + " 17 MiB of zeros in 17 KiB is RESOURCE_EXHAUSTED before it is all inflated")
  void grpcGzip() throws Exception {
    try (GrpcCalls grpc = new GrpcCalls(api.grpcPort())) {
      float[] answer =
          GrpcCalls.firstOutput(grpc.infer(GrpcCalls.floats("m", 1, 2, 3, 4).build(), "gzip"));
      assertArrayEquals(new float[] {10f, 11f, 12f}, answer);

      ModelInferRequest bomb = GrpcCalls.raw("m", new byte[17 * MIB], 1, 4).build();
      Status refused = refusal(grpc, bomb, "gzip");
      assertEquals(Code.RESOURCE_EXHAUSTED, refused.getCode(), refused.toString());
      assertTrue(refused.getDescription().contains("MODELSYNC_MAX_BODY_BYTES"), refused.toString());
      Harness.eventually("the budget given back", () -> gauge("body_bytes") == 0);
      Harness.eventually("every slot given back", () -> gauge("in_flight") == 0);
    }
  }

  private static Status refusal(GrpcCalls grpc, ModelInferRequest request, String compression) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> grpc.infer(request, compression));
    return e.getStatus();
  }

  @Test
  @DisplayName("a 5,000-character URL is 414, huge headers 431, a garbled request line 400: JSON")
  void codecRejections() throws Exception {
    String longUrl = "/v2/models/" + "m".repeat(5_000);
    assertJsonError(raw("GET " + longUrl + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "request line");
    assertJsonError(
        raw("GET /v2 HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"),
        431,
        "headers");
    assertJsonError(raw("GET /v2 HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n"), 400, "");
  }

  private static void assertJsonError(String answer, int status, String text) {
    assertTrue(answer.matches("(?s)HTTP/1\\.[01] " + status + " .*"), answer);
    assertTrue(answer.contains("content-type: application/json"), answer);
    JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertTrue(body.getString("error").contains(text), body.encode());
  }

  /** Opens a connection and sends infer headers announcing {@code length} body bytes. */
  private static Socket announce(int length) throws IOException {
    Socket s = new Socket("127.0.0.1", api.httpPort());
    s.setSoTimeout(180_000); // against hanging only
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  private static String raw(String request) throws IOException {
    Socket s = new Socket("127.0.0.1", api.httpPort());
    s.setSoTimeout(20_000);
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    return answer(s);
  }

  /** Everything the server sends until it closes the connection. */
  private static String answer(Socket s) throws IOException {
    try (s;
        InputStream in = s.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** modelsync_infer_{name} from /metrics. */
  private static long gauge(String name) {
    return counter("modelsync_infer_" + name);
  }

  /** The value of the first series of a meter from /metrics. */
  private static long counter(String name) {
    try {
      String metrics = h.get(api, "/metrics").bodyAsString();
      for (String line : metrics.lines().toList()) {
        if (line.startsWith(name)) {
          return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      throw new AssertionError("no " + name + " in /metrics");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
