package dev.modelsync.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.http.Admission;
import dev.modelsync.api.http.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InferMessagesTest {
  private static final ModelInferRequest REQUEST =
      ModelInferRequest.newBuilder()
          .setModelName("m")
          .setId("r1")
          // 64 KiB: inflated over several reads, each charged
          .addRawInputContents(ByteString.copyFrom(new byte[64 << 10]))
          .build();

  private final AtomicLong bytes = new AtomicLong();
  private final Admission admission = new Admission(new AtomicInteger(), bytes, 4, 1 << 20);

  private static GrpcMessage message(String encoding, byte[] payload) {
    return GrpcMessage.message(encoding, WireFormat.PROTOBUF, Buffer.buffer(payload));
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  @DisplayName("identity decodes as it is; gzip inflates, its inflated bytes charged as well")
  void decodes() throws IOException {
    byte[] plain = REQUEST.toByteArray();
    Admission.Ticket t = admission.admitReceived(plain.length);
    assertEquals(REQUEST, InferMessages.decode(message("identity", plain), t, 1 << 20));
    assertEquals(plain.length, bytes.get());
    t.release();

    byte[] packed = gzip(plain);
    Admission.Ticket z = admission.admitReceived(packed.length);
    assertEquals(REQUEST, InferMessages.decode(message("gzip", packed), z, 1 << 20));
    assertEquals(packed.length + plain.length, bytes.get());
    z.release();
    assertEquals(0, bytes.get());
  }

  @Test
  @DisplayName(
      "gzip past MODELSYNC_MAX_BODY_BYTES or the budget is RESOURCE_EXHAUSTED; exactly the limit"
          + " decodes")
  void inflateLimits() throws IOException {
    byte[] plain = REQUEST.toByteArray();
    byte[] packed = gzip(plain);
    Admission.Ticket t = admission.admitReceived(packed.length);
    assertEquals(REQUEST, InferMessages.decode(message("gzip", packed), t, plain.length));
    t.release();

    Admission.Ticket small = admission.admitReceived(packed.length);
    InferMessages.Refused big =
        assertThrows(
            InferMessages.Refused.class,
            () -> InferMessages.decode(message("gzip", packed), small, plain.length - 1));
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, big.status);
    assertEquals(
        "the ModelInfer message inflates past "
            + (plain.length - 1)
            + " bytes (MODELSYNC_MAX_BODY_BYTES)",
        big.getMessage());
    small.release();

    Admission tight = new Admission(new AtomicInteger(), bytes, 4, packed.length + 100);
    Admission.Ticket over = tight.admitReceived(packed.length);
    InferMessages.Refused budget =
        assertThrows(
            InferMessages.Refused.class,
            () -> InferMessages.decode(message("gzip", packed), over, 1 << 20));
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, budget.status);
    assertTrue(budget.getMessage().contains("MODELSYNC_MAX_BUFFERED_BYTES"), budget.getMessage());
    assertTrue(bytes.get() <= packed.length + 100, "never charged past the budget");
    over.release();
    assertEquals(0, bytes.get());
  }

  @Test
  @DisplayName("another encoding is UNIMPLEMENTED; bytes that do not decode or inflate are 400s")
  void refusals() {
    Admission.Ticket t = admission.admitReceived(8);
    InferMessages.Refused snappy =
        assertThrows(
            InferMessages.Refused.class,
            () -> InferMessages.decode(message("snappy", new byte[8]), t, 1 << 20));
    assertEquals(GrpcStatus.UNIMPLEMENTED, snappy.status);
    assertEquals(
        "message encoding 'snappy' is not served; use identity or gzip", snappy.getMessage());
    ApiError garbage =
        assertThrows(
            ApiError.class,
            () -> InferMessages.decode(message("identity", new byte[] {(byte) 0xff}), t, 1 << 20));
    assertEquals(400, garbage.status());
    assertTrue(garbage.getMessage().startsWith("the ModelInfer message does not decode: "));
    assertFalse(garbage.getMessage().contains("Exception"), "protobuf's reason, not a class name");
    ApiError notGzip =
        assertThrows(
            ApiError.class,
            () -> InferMessages.decode(message("gzip", new byte[] {1, 2, 3}), t, 1 << 20));
    assertEquals(400, notGzip.status());
    assertTrue(notGzip.getMessage().startsWith("the ModelInfer message is not valid gzip"));
    t.release();
  }

  @Test
  @DisplayName("a gzip message cut short is a 400, not a wait for bytes that never come")
  void truncatedGzip() throws IOException {
    byte[] packed = gzip(REQUEST.toByteArray());
    byte[] half = java.util.Arrays.copyOf(packed, packed.length / 2);
    Admission.Ticket t = admission.admitReceived(half.length);
    ApiError cut =
        assertThrows(ApiError.class, () -> InferMessages.decode(message("gzip", half), t, 1 << 20));
    assertTrue(cut.getMessage().startsWith("the ModelInfer message is not valid gzip"));
    t.release();
  }

  @Test
  @DisplayName("a gzip message cut inside its 10-byte header, even to nothing, is a 400")
  void cutInsideHeader() throws IOException {
    byte[] packed = gzip(REQUEST.toByteArray());
    for (int n = 0; n < 10; n++) {
      byte[] cut = java.util.Arrays.copyOf(packed, n);
      Admission.Ticket t = admission.admitReceived(cut.length);
      ApiError e =
          assertThrows(
              ApiError.class,
              () -> InferMessages.decode(message("gzip", cut), t, 1 << 20),
              n + " bytes");
      assertTrue(
          e.getMessage().startsWith("the ModelInfer message is not valid gzip"), n + " bytes");
      t.release();
    }
  }
}
