package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.onnx.TypedModels;
import dev.modelsync.onnx.TypedModels.Elem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every datatype through ONNX Runtime, with the committed typed fixtures. */
class DataTypesTest {
  @TempDir Path dir;

  /** Two rows of four values of each type, its extremes included. */
  static Object sample(DataType type) {
    return switch (type) {
      case BOOL -> new boolean[] {true, false, true, true, false, false, true, false};
      case UINT8 -> new byte[] {0, 1, (byte) 200, (byte) 255, 7, 8, 9, 10};
      case INT8 -> new byte[] {-128, -1, 0, 127, 7, 8, 9, 10};
      case INT16, UINT16 -> new short[] {-32768, -1, 0, 32767, 7, 8, 9, 10};
      case FP16 -> new short[] {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0, 0x3555, 1, 2};
      case BF16 -> new short[] {0x3F80, (short) 0xC000, 0x7F7F, 0x0001, 0, 0x3EAB, 1, 2};
      case INT32, UINT32 -> new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE, 7, 8, 9, 10};
      case INT64, UINT64 -> new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE, 7, 8, 9, 10};
      case FP32 -> new float[] {-1.5f, 0, Float.MAX_VALUE, Float.MIN_VALUE, 7, 8, 9, 10};
      case FP64 -> new double[] {-1.5, 0, Double.MAX_VALUE, Double.MIN_VALUE, 7, 8, 9, 10};
      case BYTES -> new String[] {"", "a", "héllo", "日本", "x", "y", "z", "\u0000"};
    };
  }

  private LoadedModel load(byte[] onnx) throws Exception {
    Fixtures.write(dir, "model.onnx", onnx);
    return new OnnxRuntimeLoader(1).load("typed", dir, null);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"},
      mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("ONNX Runtime takes and answers each datatype it has, values unchanged")
  void identity(DataType type) throws Exception {
    try (LoadedModel m = load(TypedModels.identity(Elem.valueOf(type.name())))) {
      assertEquals(type.name(), m.inputs().get(0).datatype());
      assertEquals(type.name(), m.outputs().get(0).datatype());
      Tensor in = new Tensor("input", type, new long[] {2, 4}, sample(type));
      Tensor out = m.predict(List.of(in), List.of()).get(0);
      assertEquals(type, out.type());
      assertArrayEquals(new long[] {2, 4}, out.shape());
      assertArrayEquals(RawTensors.encode(in), RawTensors.encode(out));
      // the zeros a warm-up sends
      Tensor zeros = new Tensor("input", type, new long[] {1, 4}, type.newArray(4));
      assertEquals(4, m.predict(List.of(zeros), List.of()).get(0).size());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"})
  @DisplayName("a model with a type ONNX Runtime's Java API lacks fails to load, saying why")
  void refused(DataType type) {
    var e =
        assertThrows(
            ModelLoadException.class, () -> load(TypedModels.identity(Elem.valueOf(type.name()))));
    assertTrue(e.getMessage().contains("input 'input' has datatype " + type), e.getMessage());
    assertTrue(e.getMessage().contains("cannot exchange"), e.getMessage());
  }

  @Test
  @DisplayName("an image-style UINT8 input is read as 8-bit pixels")
  void uint8Image() throws Exception {
    try (LoadedModel m = load(TypedModels.uint8Image())) {
      byte[] px = new byte[12];
      for (int i = 0; i < 12; i++) {
        px[i] = (byte) (i * 23);
      }
      px[11] = (byte) 255;
      Tensor out =
          m.predict(
                  List.of(new Tensor("image", DataType.UINT8, new long[] {1, 3, 2, 2}, px)),
                  List.of())
              .get(0);
      float[] scaled = (float[]) out.data();
      assertEquals(23 * 10 / 255f, scaled[10], 1e-6);
      assertEquals(1f, scaled[11], 1e-6);
    }
  }

  @Test
  @DisplayName("an FP16 model doubles half-precision values")
  void fp16() throws Exception {
    try (LoadedModel m = load(TypedModels.fp16Double())) {
      short[] in = new short[4];
      float[] values = {1.5f, -2f, 0.1f, 40000f};
      for (int i = 0; i < 4; i++) {
        in[i] = TensorValues.toHalf(values[i]);
      }
      Tensor out =
          m.predict(List.of(new Tensor("input", DataType.FP16, new long[] {1, 4}, in)), List.of())
              .get(0);
      assertEquals(DataType.FP16, out.type());
      short[] half = (short[]) out.data();
      assertEquals(3f, TensorValues.fromHalf(half[0]));
      assertEquals(-4f, TensorValues.fromHalf(half[1]));
      assertEquals(0.2f, TensorValues.fromHalf(half[2]), 1e-3);
      assertEquals(0x7C00, half[3], "80000 is over FP16's 65504: infinity");
    }
  }

  @Test
  @DisplayName("a quantized INT8 input is dequantized")
  void int8() throws Exception {
    try (LoadedModel m = load(TypedModels.int8Dequantize())) {
      byte[] in = {-128, -1, 0, 127};
      Tensor out =
          m.predict(List.of(new Tensor("input", DataType.INT8, new long[] {1, 4}, in)), List.of())
              .get(0);
      assertArrayEquals(new float[] {-64f, -0.5f, 0f, 63.5f}, (float[]) out.data());
    }
  }

  @ParameterizedTest
  @EnumSource(Elem.class)
  @DisplayName("the committed typed fixtures are what TypedModels writes")
  void committedFixtures(Elem e) throws IOException {
    assertArrayEquals(
        TypedModels.identity(e),
        resource("identity_" + e.name().toLowerCase(Locale.ROOT) + ".onnx"));
    assertArrayEquals(TypedModels.uint8Image(), resource("uint8_image.onnx"));
    assertArrayEquals(TypedModels.fp16Double(), resource("fp16_double.onnx"));
    assertArrayEquals(TypedModels.int8Dequantize(), resource("int8_dequantize.onnx"));
    assertArrayEquals(TypedModels.image224(), resource("image224.onnx"));
  }

  private static byte[] resource(String file) throws IOException {
    try (InputStream in = DataTypesTest.class.getResourceAsStream("/models/onnx/" + file)) {
      if (in == null) {
        throw new IOException("no test resource models/onnx/" + file);
      }
      return in.readAllBytes();
    }
  }
}
