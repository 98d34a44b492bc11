package dev.modelsync.api.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.api.grpc.oip.InferTensorContents;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferRequest.InferInputTensor;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import dev.modelsync.api.http.ApiError;
import dev.modelsync.api.inference.InferenceJob.Parsed;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TensorMessagesTest {
  private static final long MAX = 1 << 20;

  /** A signature with every datatype served today; only its inputs and outputs are read. */
  private static final LoadedModel MODEL =
      new LoadedModel() {
        @Override
        public String platform() {
          return "test";
        }

        @Override
        public List<TensorInfo> inputs() {
          return List.of(
              new TensorInfo("f32", "FP32", new long[] {-1, 2}),
              new TensorInfo("f64", "FP64", new long[] {1}),
              new TensorInfo("i32", "INT32", new long[] {2}),
              new TensorInfo("i64", "INT64", new long[] {2}),
              new TensorInfo("b", "BOOL", new long[] {3}),
              new TensorInfo("s", "BYTES", new long[] {2}));
        }

        @Override
        public List<TensorInfo> outputs() {
          return List.of(new TensorInfo("out", "FP32", new long[] {-1}));
        }

        @Override
        public List<Tensor> predict(List<Tensor> inputs, List<String> outputs) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
      };

  private static InferInputTensor.Builder input(String name, String type, long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(type);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  private static ByteString hex(String h) {
    return ByteString.copyFrom(HexFormat.of().parseHex(h.replace(" ", "")));
  }

  /** Every input of MODEL as typed contents. */
  private static ModelInferRequest.Builder typed() {
    return ModelInferRequest.newBuilder()
        .setModelName("m")
        .setId("r7")
        .addInputs(
            input("f32", "FP32", 1, 2)
                .setContents(
                    InferTensorContents.newBuilder().addFp32Contents(1.5f).addFp32Contents(-2f)))
        .addInputs(
            input("f64", "FP64", 1)
                .setContents(InferTensorContents.newBuilder().addFp64Contents(0.25)))
        .addInputs(
            input("i32", "INT32", 2)
                .setContents(InferTensorContents.newBuilder().addIntContents(-1).addIntContents(7)))
        .addInputs(
            input("i64", "INT64", 2)
                .setContents(
                    InferTensorContents.newBuilder()
                        .addInt64Contents(1L << 40)
                        .addInt64Contents(-3)))
        .addInputs(
            input("b", "BOOL", 3)
                .setContents(
                    InferTensorContents.newBuilder()
                        .addBoolContents(true)
                        .addBoolContents(false)
                        .addBoolContents(true)))
        .addInputs(
            input("s", "BYTES", 2)
                .setContents(
                    InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFromUtf8("héllo"))
                        .addBytesContents(ByteString.EMPTY)));
  }

  /** The same inputs as raw_input_contents, written out byte by byte (little-endian). */
  private static ModelInferRequest raw() {
    ModelInferRequest.Builder b = typed();
    for (int i = 0; i < b.getInputsCount(); i++) {
      b.setInputs(i, b.getInputs(i).toBuilder().clearContents());
    }
    return b.addRawInputContents(hex("0000c03f 000000c0"))
        .addRawInputContents(hex("000000000000d03f"))
        .addRawInputContents(hex("ffffffff 07000000"))
        .addRawInputContents(hex("0000000000010000 fdffffffffffffff"))
        .addRawInputContents(hex("01 00 01"))
        .addRawInputContents(hex("06000000 68c3a96c6c6f 00000000"))
        .build();
  }

  private static void assertEveryInput(Parsed p) {
    List<Tensor> in = p.inputs();
    assertEquals(6, in.size());
    assertArrayEquals(new float[] {1.5f, -2f}, (float[]) in.get(0).data());
    assertArrayEquals(new long[] {1, 2}, in.get(0).shape());
    assertArrayEquals(new double[] {0.25}, (double[]) in.get(1).data());
    assertArrayEquals(new int[] {-1, 7}, (int[]) in.get(2).data());
    assertArrayEquals(new long[] {1L << 40, -3}, (long[]) in.get(3).data());
    assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) in.get(4).data());
    assertArrayEquals(new String[] {"héllo", ""}, (String[]) in.get(5).data());
    assertEquals(DataType.BYTES, in.get(5).type());
    assertEquals("r7", p.extra());
  }

  @Test
  @DisplayName("typed contents of every datatype become the tensors the model takes")
  void typedContents() {
    assertEveryInput(TensorMessages.read(typed().build(), MODEL, MAX));
  }

  @Test
  @DisplayName("raw_input_contents, little-endian with length-prefixed BYTES, read the same")
  void rawContents() {
    assertEveryInput(TensorMessages.read(raw(), MODEL, MAX));
  }

  @Test
  @DisplayName("outputs go out as raw_output_contents, byte for byte, with name, datatype, shape")
  void outputsAreRaw() {
    ModelInferResponse r =
        TensorMessages.write(
            "m",
            3,
            "r7",
            List.of(
                new Tensor("out", DataType.FP32, new long[] {2}, new float[] {1f, -0.5f}),
                new Tensor("n", DataType.INT64, new long[] {1}, new long[] {258}),
                new Tensor("s", DataType.BYTES, new long[] {1}, new String[] {"ok"}),
                new Tensor("b", DataType.BOOL, new long[] {2}, new boolean[] {false, true})));
    assertEquals("m", r.getModelName());
    assertEquals("3", r.getModelVersion());
    assertEquals("r7", r.getId());
    assertEquals("out", r.getOutputs(0).getName());
    assertEquals("FP32", r.getOutputs(0).getDatatype());
    assertEquals(List.of(2L), r.getOutputs(0).getShapeList());
    assertEquals(hex("0000803f 000000bf"), r.getRawOutputContents(0));
    assertEquals(hex("0201000000000000"), r.getRawOutputContents(1));
    assertEquals(hex("02000000 6f6b"), r.getRawOutputContents(2));
    assertEquals(hex("00 01"), r.getRawOutputContents(3));
    assertTrue(r.getOutputs(0).getContents().getFp32ContentsList().isEmpty());
  }

  private static String refused(ModelInferRequest req) {
    ApiError e = assertThrows(ApiError.class, () -> TensorMessages.read(req, MODEL, MAX));
    assertEquals(400, e.status());
    return e.getMessage();
  }

  @Test
  @DisplayName("bad requests are 400s that say what is wrong")
  void badRequests() {
    ModelInferRequest good = raw();
    assertEquals(
        "raw_input_contents has 5 entries for 6 inputs; give one per input, in the order of"
            + " 'inputs'",
        refused(
            good.toBuilder()
                .clearRawInputContents()
                .addAllRawInputContents(good.getRawInputContentsList().subList(0, 5))
                .build()));
    assertEquals(
        "input 'f32' has 7 bytes of FP32 data but its shape [1, 2] needs 8",
        refused(good.toBuilder().setRawInputContents(0, hex("00000000 000000")).build()));
    assertTrue(
        refused(good.toBuilder().setRawInputContents(5, hex("09000000 6f6b 00000000")).build())
            .contains("claims 9 bytes"));
    assertEquals(
        "input 'i32' has 1 values in contents.int_contents; its shape needs 2",
        refused(
            typed()
                .setInputs(
                    2,
                    input("i32", "INT32", 2)
                        .setContents(InferTensorContents.newBuilder().addIntContents(1)))
                .build()));
    assertEquals(
        "input 'f64' has 'contents' as well as raw_input_contents; give one of them",
        refused(good.toBuilder().setInputs(1, typed().getInputs(1)).build()));
    assertEquals("input 's' is missing", refused(typed().removeInputs(5).build()));
    assertEquals(
        "input 'b' is given twice", refused(typed().setInputs(5, typed().getInputs(4)).build()));
    assertTrue(
        refused(
                typed()
                    .addOutputs(
                        ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("x"))
                    .build())
            .startsWith("unknown output 'x'"));
    assertTrue(refused(typed().setInputs(0, input("f32", "FP16", 1, 2)).build()).contains("FP16"));
  }

  @Test
  @DisplayName("a shape over MODELSYNC_MAX_TENSOR_BYTES is refused before anything is read")
  void tensorLimit() {
    ModelInferRequest big = typed().setInputs(0, input("f32", "FP32", 1 << 20, 2)).build();
    assertTrue(refused(big).contains("MODELSYNC_MAX_TENSOR_BYTES"));
  }

  @Test
  @DisplayName("uint_contents fill the unsigned types by their low bytes: 65535 is UINT16 0xffff")
  void unsignedContents() {
    LoadedModel unsigned =
        new LoadedModel() {
          @Override
          public String platform() {
            return "test";
          }

          @Override
          public List<TensorInfo> inputs() {
            return List.of(new TensorInfo("u", "UINT16", new long[] {2}));
          }

          @Override
          public List<TensorInfo> outputs() {
            return List.of();
          }

          @Override
          public List<Tensor> predict(List<Tensor> inputs, List<String> outputs) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void close() {}
        };
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("m")
            .addInputs(
                input("u", "UINT16", 2)
                    .setContents(
                        InferTensorContents.newBuilder().addUintContents(65535).addUintContents(2)))
            .build();
    Tensor t = TensorMessages.read(req, unsigned, MAX).inputs().get(0);
    assertEquals(DataType.UINT16, t.type());
    assertArrayEquals(new short[] {-1, 2}, (short[]) t.data());
  }
}
