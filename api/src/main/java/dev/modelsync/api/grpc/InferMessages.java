package dev.modelsync.api.grpc;

import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.http.Admission;
import dev.modelsync.api.http.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Decodes a ModelInfer message that {@link ModelInfer} has already charged to the byte budget in
 * its encoded form. A gzip message is inflated here rather than by Vert.x, so that what it inflates
 * to is charged as it grows and capped at {@code MODELSYNC_MAX_BODY_BYTES} (Vert.x caps only the
 * compressed size).
 */
final class InferMessages {
  private static final GrpcMessageDecoder<ModelInferRequest> DECODER =
      GrpcMessageDecoder.decoder(ModelInferRequest.getDefaultInstance());
  private static final String IDENTITY = "identity";
  private static final String GZIP = "gzip";

  private InferMessages() {}

  /** A refusal with its own gRPC status, for what has no HTTP counterpart. */
  static final class Refused extends RuntimeException {
    final GrpcStatus status;

    Refused(GrpcStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * The request in {@code message}.
   *
   * @throws ApiError 400 when it does not decode
   * @throws Refused UNIMPLEMENTED for an encoding other than identity or gzip; RESOURCE_EXHAUSTED
   *     when it inflates past {@code maxBytes} or past what the budget has left
   */
  static ModelInferRequest decode(GrpcMessage message, Admission.Ticket ticket, int maxBytes) {
    Buffer payload = message.payload();
    String encoding = message.encoding();
    if (GZIP.equals(encoding)) {
      payload = inflate(payload, ticket, maxBytes);
    } else if (!IDENTITY.equals(encoding)) {
      throw new Refused(
          GrpcStatus.UNIMPLEMENTED,
          "message encoding '" + encoding + "' is not served; use identity or gzip");
    }
    try {
      return DECODER.decode(GrpcMessage.message(IDENTITY, message.format(), payload));
    } catch (CodecException e) {
      Throwable why = e.getCause() == null ? e : e.getCause();
      throw ApiError.badRequest("the ModelInfer message does not decode: " + why.getMessage());
    }
  }

  private static Buffer inflate(Buffer gzipped, Admission.Ticket ticket, int maxBytes) {
    long compressed = gzipped.length();
    // an initial capacity only (PIT: its mutants are equivalent)
    Buffer out = Buffer.buffer(Math.min(maxBytes, Math.max(64, gzipped.length() * 2)));
    byte[] chunk = new byte[8192];
    try (InputStream in = new GZIPInputStream(new BufferStream(gzipped))) {
      // (PIT: "> 0" as ">= 0" is equivalent: GZIPInputStream never reads 0 into 8192 bytes)
      for (int n; (n = in.read(chunk)) > 0; ) {
        if ((long) out.length() + n > maxBytes) {
          throw new Refused(
              GrpcStatus.RESOURCE_EXHAUSTED,
              "the ModelInfer message inflates past "
                  + maxBytes
                  + " bytes (MODELSYNC_MAX_BODY_BYTES)");
        }
        // the compressed bytes stay in memory until the message is decoded: both are charged
        if (!ticket.cover(compressed + out.length() + n)) {
          throw new Refused(
              GrpcStatus.RESOURCE_EXHAUSTED,
              "overloaded: request bodies fill MODELSYNC_MAX_BUFFERED_BYTES; retry shortly");
        }
        out.appendBytes(chunk, 0, n);
      }
    } catch (IOException e) {
      throw ApiError.badRequest("the ModelInfer message is not valid gzip: " + e.getMessage());
    }
    return out;
  }

  /** A Buffer read as a stream, without copying it into an array first. */
  private static final class BufferStream extends InputStream {
    private final Buffer buffer;
    private int at;

    BufferStream(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      // GZIPInputStream reads its header byte by byte: a header cut short ends here with -1
      return at < buffer.length() ? buffer.getByte(at++) & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int off, int len) {
      int n = Math.min(len, buffer.length() - at);
      if (n <= 0) {
        return len == 0 ? 0 : -1;
      }
      buffer.getBytes(at, at + n, into, off);
      at += n;
      return n;
    }
  }
}
