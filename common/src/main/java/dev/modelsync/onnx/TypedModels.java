package dev.modelsync.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Small real ONNX models (IR 8, opset 13) whose inputs and outputs use the datatypes beyond FP32:
 * an image-style UINT8 input, an FP16 model, an INT8 (quantized) input, an identity per datatype,
 * and a 1x3x224x224 FP32 image model for benchmarks.
 *
 * <p>Run as a program to write them all: {@code java dev.modelsync.onnx.TypedModels DIR}.
 */
public final class TypedModels {
  /** ONNX TensorProto element types, by the KServe name of each. */
  public enum Elem {
    FP32(1),
    UINT8(2),
    INT8(3),
    UINT16(4),
    INT16(5),
    INT32(6),
    INT64(7),
    BYTES(8),
    BOOL(9),
    FP16(10),
    FP64(11),
    UINT32(12),
    UINT64(13),
    BF16(16);

    final int onnx;

    Elem(int onnx) {
      this.onnx = onnx;
    }
  }

  private TypedModels() {}

  /** {@code output = input}, both {@code type[N, 4]}: any datatype there and back unchanged. */
  public static byte[] identity(Elem type) {
    Protobuf graph =
        new Protobuf()
            .message(1, node("Identity", "output", "input"))
            .string(2, "modelsync_identity_" + type.name().toLowerCase(Locale.ROOT))
            .message(11, valueInfo("input", type, -1, 4))
            .message(12, valueInfo("output", type, -1, 4));
    return model(graph);
  }

  /**
   * An FP32 identity whose output is declared {@code [1, 4]} while it really has the input's {@code
   * [N, 4]}: a model that misstates its output shape, which ONNX Runtime runs anyway (with a
   * warning) and a server must still answer correctly.
   */
  public static byte[] misdeclaredBatch() {
    Protobuf graph =
        new Protobuf()
            .message(1, node("Identity", "output", "input"))
            .string(2, "modelsync_misdeclared")
            .message(11, valueInfo("input", Elem.FP32, -1, 4))
            .message(12, valueInfo("output", Elem.FP32, 1, 4));
    return model(graph);
  }

  /**
   * Two outputs of {@code input: FP32[N, 4]}: {@code first: INT8[N, 4]} (Cast) then {@code second:
   * FP32[N, 4]} (Identity), so a server that lends buffers for FP32 outputs only still answers them
   * in the model's order.
   */
  public static byte[] twoOutputs() {
    Protobuf graph =
        new Protobuf()
            .message(1, node("Cast", "first", "input").message(5, intAttr("to", Elem.INT8.onnx)))
            .message(1, node("Identity", "second", "input"))
            .string(2, "modelsync_two_outputs")
            .message(11, valueInfo("input", Elem.FP32, -1, 4))
            .message(12, valueInfo("first", Elem.INT8, -1, 4))
            .message(12, valueInfo("second", Elem.FP32, -1, 4));
    return model(graph);
  }

  /**
   * A lookup that fails for some inputs: {@code output: FP32[N, 4] = table[(int64) input]} with
   * {@code input: FP32[N, 4]} (Cast, Gather). An input value outside {@code [-table.length,
   * table.length - 1]} makes ONNX Runtime refuse the run, as a model with a real bug would: the
   * rollout tests' failing canary.
   */
  public static byte[] lookup(float... table) {
    Protobuf graph =
        new Protobuf()
            .message(1, node("Cast", "index", "input").message(5, intAttr("to", Elem.INT64.onnx)))
            .message(1, node("Gather", "output", "T", "index"))
            .string(2, "modelsync_lookup")
            .message(5, floats("T", new long[] {table.length}, table))
            .message(11, valueInfo("input", Elem.FP32, -1, 4))
            .message(12, valueInfo("output", Elem.FP32, -1, 4));
    return model(graph);
  }

  /**
   * A model that tells how many rows each run holds: {@code output = input + N} for {@code input:
   * FP32[N, 4]} (Shape, Gather, Cast, Add), plus {@code (input · W1) · W2} with W2 all zeros, a
   * detour through {@code hidden} columns that adds nothing but makes every run cost (about 8 ×
   * {@code hidden} bytes of weights read per run). A shadow candidate whose divergence from the
   * identity is the size of the stack each copy ran in.
   */
  public static byte[] plusRows(int hidden) {
    float[] ones = new float[4 * hidden];
    java.util.Arrays.fill(ones, 1f);
    Protobuf first =
        new Protobuf()
            .varint(2, Elem.INT64.onnx)
            .string(8, "FIRST")
            .bytes(9, new byte[8]); // a scalar 0
    Protobuf graph =
        new Protobuf()
            .message(1, node("Shape", "shape", "input"))
            .message(1, node("Gather", "rows", "shape", "FIRST"))
            .message(1, node("Cast", "rowsf", "rows").message(5, intAttr("to", Elem.FP32.onnx)))
            .message(1, node("Add", "shifted", "input", "rowsf"))
            .message(1, node("MatMul", "hidden", "input", "W1"))
            .message(1, node("MatMul", "zeros", "hidden", "W2"))
            .message(1, node("Add", "output", "shifted", "zeros"))
            .string(2, "modelsync_plus_rows")
            .message(5, first)
            .message(5, floats("W1", new long[] {4, hidden}, ones))
            .message(5, floats("W2", new long[] {hidden, 4}, new float[4 * hidden]))
            .message(11, valueInfo("input", Elem.FP32, -1, 4))
            .message(12, valueInfo("output", Elem.FP32, -1, 4));
    return model(graph);
  }

  /**
   * An image-style model: {@code image: UINT8[N, 3, 2, 2]} scaled to {@code scaled: FP32 = image /
   * 255}, as a vision model's first step reads 8-bit pixels.
   */
  public static byte[] uint8Image() {
    Protobuf graph =
        new Protobuf()
            .message(1, node("Cast", "pixels", "image").message(5, intAttr("to", Elem.FP32.onnx)))
            .message(1, node("Div", "scaled", "pixels", "D"))
            .string(2, "modelsync_uint8_image")
            .message(5, floats("D", new long[] {}, 255f))
            .message(11, valueInfo("image", Elem.UINT8, -1, 3, 2, 2))
            .message(12, valueInfo("scaled", Elem.FP32, -1, 3, 2, 2));
    return model(graph);
  }

  /** An FP16 model: {@code output: FP16[N, 4] = 2 * input: FP16[N, 4]} (computed in FP32). */
  public static byte[] fp16Double() {
    Protobuf graph =
        new Protobuf()
            .message(1, node("Cast", "x32", "input").message(5, intAttr("to", Elem.FP32.onnx)))
            .message(1, node("Mul", "y32", "x32", "TWO"))
            .message(1, node("Cast", "output", "y32").message(5, intAttr("to", Elem.FP16.onnx)))
            .string(2, "modelsync_fp16_double")
            .message(5, floats("TWO", new long[] {}, 2f))
            .message(11, valueInfo("input", Elem.FP16, -1, 4))
            .message(12, valueInfo("output", Elem.FP16, -1, 4));
    return model(graph);
  }

  /**
   * A quantized INT8 input dequantized to FP32: {@code output = (input - zero_point) * scale} with
   * scale 0.5 and zero point 0 (DequantizeLinear).
   */
  public static byte[] int8Dequantize() {
    Protobuf zero =
        new Protobuf().varint(2, Elem.INT8.onnx).string(8, "ZP").bytes(9, new byte[] {0});
    Protobuf graph =
        new Protobuf()
            .message(1, node("DequantizeLinear", "output", "input", "S", "ZP"))
            .string(2, "modelsync_int8_dequantize")
            .message(5, floats("S", new long[] {}, 0.5f))
            .message(5, zero)
            .message(11, valueInfo("input", Elem.INT8, -1, 4))
            .message(12, valueInfo("output", Elem.FP32, -1, 4));
    return model(graph);
  }

  /**
   * An image classifier's shape: {@code input: FP32[N, 3, 224, 224]} averaged over each channel,
   * {@code output: FP32[N, 3]}; the body is what the benchmarks measure.
   */
  public static byte[] image224() {
    Protobuf graph =
        new Protobuf()
            .message(1, node("GlobalAveragePool", "pooled", "input"))
            .message(1, node("Flatten", "output", "pooled"))
            .string(2, "modelsync_image224")
            .message(11, valueInfo("input", Elem.FP32, -1, 3, 224, 224))
            .message(12, valueInfo("output", Elem.FP32, -1, 3));
    return model(graph);
  }

  /** Writes every model into {@code DIR}: identity_<type>.onnx and the four named ones. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: TypedModels DIR");
    }
    Path dir = Path.of(args[0]);
    for (Elem e : Elem.values()) {
      OnnxModelWriter.write(
          dir.resolve("identity_" + e.name().toLowerCase(Locale.ROOT) + ".onnx"), identity(e));
    }
    OnnxModelWriter.write(dir.resolve("uint8_image.onnx"), uint8Image());
    OnnxModelWriter.write(dir.resolve("fp16_double.onnx"), fp16Double());
    OnnxModelWriter.write(dir.resolve("int8_dequantize.onnx"), int8Dequantize());
    OnnxModelWriter.write(dir.resolve("image224.onnx"), image224());
  }

  private static byte[] model(Protobuf graph) {
    Protobuf opset = new Protobuf().string(1, "").varint(2, 13);
    return new Protobuf()
        .varint(1, 8)
        .string(2, "modelsync")
        .message(7, graph)
        .message(8, opset)
        .toByteArray();
  }

  private static Protobuf node(String op, String output, String... inputs) {
    Protobuf n = new Protobuf();
    for (String in : inputs) {
      n.string(1, in);
    }
    return n.string(2, output).string(3, op + "_" + output).string(4, op);
  }

  private static Protobuf intAttr(String name, long value) {
    return new Protobuf().string(1, name).varint(3, value).varint(20, 2);
  }

  private static Protobuf floats(String name, long[] dims, float... values) {
    Protobuf t = new Protobuf();
    for (long d : dims) {
      t.varint(1, d);
    }
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return t.varint(2, Elem.FP32.onnx).string(8, name).bytes(9, raw.array());
  }

  /** A tensor of {@code type}; a dimension of -1 is the symbolic batch dimension N. */
  private static Protobuf valueInfo(String name, Elem type, long... dims) {
    Protobuf shape = new Protobuf();
    for (long d : dims) {
      Protobuf dim = d < 0 ? new Protobuf().string(2, "N") : new Protobuf().varint(1, d);
      shape.message(1, dim);
    }
    Protobuf tensorType = new Protobuf().varint(1, type.onnx).message(2, shape);
    return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
  }
}
