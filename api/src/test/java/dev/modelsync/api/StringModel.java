package dev.modelsync.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A real ONNX model over text: {@code text: string[N]} → Identity → {@code echo: string[N]} (IR
 * version 8, opset 13), written field by field as the ONNX protobuf schema numbers them.
 */
final class StringModel {
  private static final int STRING = 8;

  private StringModel() {}

  static byte[] identity() {
    byte[] node =
        new Msg().str(1, "text").str(2, "echo").str(3, "identity").str(4, "Identity").bytes();
    byte[] graph =
        new Msg()
            .msg(1, node)
            .str(2, "modelsync_strings")
            .msg(11, valueInfo("text"))
            .msg(12, valueInfo("echo"))
            .bytes();
    byte[] opset = new Msg().str(1, "").varint(2, 13).bytes();
    return new Msg().varint(1, 8).str(2, "modelsync").msg(7, graph).msg(8, opset).bytes();
  }

  /** A string tensor of shape [N], N symbolic. */
  private static byte[] valueInfo(String name) {
    byte[] shape = new Msg().msg(1, new Msg().str(2, "N").bytes()).bytes();
    byte[] tensorType = new Msg().varint(1, STRING).msg(2, shape).bytes();
    byte[] type = new Msg().msg(1, tensorType).bytes();
    return new Msg().str(1, name).msg(2, type).bytes();
  }

  /** The protobuf wire format, only what the model above needs. */
  private static final class Msg {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Msg varint(int field, long value) {
      raw(field << 3);
      raw(value);
      return this;
    }

    Msg str(int field, String s) {
      return msg(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Msg msg(int field, byte[] b) {
      raw((field << 3) | 2);
      raw(b.length);
      out.writeBytes(b);
      return this;
    }

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
