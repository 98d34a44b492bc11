package dev.modelsync.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes small, real ONNX models (IR version 8, opset 13) without Python: the test fixtures and the
 * standalone demo model. Each model maps {@code input: float[N, in]} to {@code output: float[N,
 * out]}, either as one affine layer {@code x·W + b} or, to make a model of a chosen size, through a
 * hidden layer: {@code (x·W1)·W2 + b}.
 *
 * <p>Run as a program to write fixtures: {@code java dev.modelsync.onnx.OnnxModelWriter out.onnx
 * [scale]} writes the 4→3 model {@link #affine(float)} with the given scale.
 */
public final class OnnxModelWriter {
  private static final int FLOAT = 1;

  private OnnxModelWriter() {}

  /**
   * The 4→3 model whose answer to any input is easy to predict: {@code output[j] = scale * (sum(x)
   * + j)}. W is {@code scale} everywhere and b is {@code scale * j}.
   */
  public static byte[] affine(float scale) {
    float[][] w = new float[4][3];
    float[] b = new float[3];
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < 4; i++) {
        w[i][j] = scale;
      }
      b[j] = scale * j;
    }
    return linear(w, b);
  }

  /** {@code output = input · w + b}, with {@code w} of shape [in][out]. */
  public static byte[] linear(float[][] w, float[] b) {
    int in = w.length;
    int out = b.length;
    Protobuf graph =
        new Protobuf()
            .message(1, node("MatMul", "input", "W", "mm"))
            .message(1, node("Add", "mm", "B", "output"))
            .string(2, "modelsync_linear")
            .message(5, tensor("W", new long[] {in, out}, flatten(w)))
            .message(5, tensor("B", new long[] {out}, b))
            .message(11, valueInfo("input", in))
            .message(12, valueInfo("output", out));
    return model(graph);
  }

  /**
   * A 4→3 model with a hidden layer of {@code hidden} units and random weights from {@code seed}:
   * about {@code 28 * hidden} bytes of weights, so a chosen size is easy to reach.
   */
  public static byte[] withHiddenLayer(int hidden, long seed) {
    Random random = new Random(seed);
    float[] w1 = new float[4 * hidden];
    float[] w2 = new float[hidden * 3];
    for (int i = 0; i < w1.length; i++) {
      w1[i] = random.nextFloat() - 0.5f;
    }
    for (int i = 0; i < w2.length; i++) {
      w2[i] = (random.nextFloat() - 0.5f) / hidden;
    }
    Protobuf graph =
        new Protobuf()
            .message(1, node("MatMul", "input", "W1", "h"))
            .message(1, node("MatMul", "h", "W2", "h2"))
            .message(1, node("Add", "h2", "B", "output"))
            .string(2, "modelsync_hidden")
            .message(5, tensor("W1", new long[] {4, hidden}, w1))
            .message(5, tensor("W2", new long[] {hidden, 3}, w2))
            .message(5, tensor("B", new long[] {3}, new float[] {0.1f, 0.2f, 0.3f}))
            .message(11, valueInfo("input", 4))
            .message(12, valueInfo("output", 3));
    return model(graph);
  }

  /**
   * An image-shaped model: {@code input} FP32 {@code [N, channels, height, width]} to {@code
   * output} FP32 {@code [N, channels]}, the mean of each channel (GlobalAveragePool, Flatten). For
   * benchmarks of large requests with little compute.
   */
  public static byte[] channelMeans(int channels, int height, int width) {
    Protobuf graph =
        new Protobuf()
            .message(
                1,
                new Protobuf()
                    .string(1, "input")
                    .string(2, "pooled")
                    .string(3, "pool")
                    .string(4, "GlobalAveragePool"))
            .message(
                1,
                new Protobuf()
                    .string(1, "pooled")
                    .string(2, "output")
                    .string(3, "flatten")
                    .string(4, "Flatten"))
            .string(2, "modelsync_channel_means")
            .message(11, valueInfo("input", -1, channels, height, width))
            .message(12, valueInfo("output", -1, channels));
    return model(graph);
  }

  public static void write(Path file, byte[] model) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, model);
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: OnnxModelWriter OUT.onnx [scale]");
    }
    float scale = args.length > 1 ? Float.parseFloat(args[1]) : 1f;
    write(Path.of(args[0]), affine(scale));
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

  private static Protobuf node(String op, String a, String b, String output) {
    return new Protobuf()
        .string(1, a)
        .string(1, b)
        .string(2, output)
        .string(3, op + "_" + output)
        .string(4, op);
  }

  private static Protobuf tensor(String name, long[] dims, float[] values) {
    Protobuf t = new Protobuf();
    for (long d : dims) {
      t.varint(1, d);
    }
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return t.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
  }

  /** A float tensor of shape [N, width] with N symbolic. */
  private static Protobuf valueInfo(String name, int width) {
    return valueInfo(name, -1, width);
  }

  /** A float tensor of these dimensions, -1 for the symbolic N. */
  private static Protobuf valueInfo(String name, long... dims) {
    Protobuf shape = new Protobuf();
    for (long d : dims) {
      shape.message(1, d < 0 ? new Protobuf().string(2, "N") : new Protobuf().varint(1, d));
    }
    Protobuf tensorType = new Protobuf().varint(1, FLOAT).message(2, shape);
    return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
  }

  private static float[] flatten(float[][] m) {
    float[] flat = new float[m.length * m[0].length];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(m[i], 0, flat, i * m[0].length, m[0].length);
    }
    return flat;
  }
}
