package dev.modelsync.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few protobuf wire-format writes an ONNX model needs: varints, strings, bytes, messages. */
final class Protobuf {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Protobuf varint(int field, long value) {
    tag(field, 0);
    writeVarint(value);
    return this;
  }

  Protobuf string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  Protobuf bytes(int field, byte[] value) {
    tag(field, 2);
    writeVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  Protobuf message(int field, Protobuf message) {
    return bytes(field, message.toByteArray());
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    writeVarint(((long) field << 3) | wireType);
  }

  private void writeVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
