package dev.modelsync.api.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.RawTensors;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.grpc.oip.InferTensorContents;
import dev.modelsync.api.grpc.oip.ModelInferRequest;
import dev.modelsync.api.grpc.oip.ModelInferRequest.InferInputTensor;
import dev.modelsync.api.grpc.oip.ModelInferResponse;
import dev.modelsync.api.grpc.oip.ModelInferResponse.InferOutputTensor;
import dev.modelsync.api.http.ApiError;
import dev.modelsync.api.http.Inference;
import dev.modelsync.api.inference.InferenceJob.Parsed;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ModelInfer messages to and from tensors. Inputs come as {@code raw_input_contents} or as the
 * typed {@code contents} field of their datatype; the typed values are laid out as raw bytes and
 * read by {@link RawTensors} too, so one decoder (and its datatype switch) serves both. Outputs go
 * out as {@code raw_output_contents}, which every Open Inference Protocol client reads.
 */
final class TensorMessages {
  private TensorMessages() {}

  /** The repeated field of {@code InferTensorContents} that carries a datatype's values. */
  private enum Field {
    BOOL("bool_contents"),
    INT("int_contents"),
    INT64("int64_contents"),
    UINT("uint_contents"),
    UINT64("uint64_contents"),
    FP32("fp32_contents"),
    FP64("fp64_contents"),
    BYTES("bytes_contents");

    final String proto;

    Field(String proto) {
      this.proto = proto;
    }
  }

  /** The spec's table; FP16 and BF16 have no typed field and come raw only. */
  private static final Map<String, Field> FIELDS =
      Map.ofEntries(
          Map.entry("BOOL", Field.BOOL),
          Map.entry("INT8", Field.INT),
          Map.entry("INT16", Field.INT),
          Map.entry("INT32", Field.INT),
          Map.entry("INT64", Field.INT64),
          Map.entry("UINT8", Field.UINT),
          Map.entry("UINT16", Field.UINT),
          Map.entry("UINT32", Field.UINT),
          Map.entry("UINT64", Field.UINT64),
          Map.entry("FP32", Field.FP32),
          Map.entry("FP64", Field.FP64),
          Map.entry("BYTES", Field.BYTES));

  /**
   * The request's inputs, checked against the model's signature, and the outputs it asks for.
   *
   * @throws ApiError 400 saying what is wrong
   */
  static Parsed read(ModelInferRequest req, LoadedModel model, long maxTensorBytes) {
    int count = req.getInputsCount();
    if (count == 0) {
      throw ApiError.badRequest("'inputs' must name at least one tensor");
    }
    int raw = req.getRawInputContentsCount();
    if (raw != 0 && raw != count) {
      throw ApiError.badRequest(
          "raw_input_contents has "
              + raw
              + " entries for "
              + count
              + " inputs; give one per input, in the order of 'inputs'");
    }
    List<Tensor> inputs = new ArrayList<>(count);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      InferInputTensor in = req.getInputs(i);
      if (!seen.add(in.getName())) {
        throw ApiError.badRequest("input '" + in.getName() + "' is given twice");
      }
      inputs.add(input(in, raw == 0 ? null : req.getRawInputContents(i), model, maxTensorBytes));
    }
    for (var info : model.inputs()) {
      if (!seen.contains(info.name())) {
        throw ApiError.badRequest("input '" + info.name() + "' is missing");
      }
    }
    List<String> outputs = new ArrayList<>(req.getOutputsCount());
    req.getOutputsList().forEach(o -> outputs.add(o.getName()));
    Inference.checkOutputs(model.outputs(), outputs);
    return new Parsed(inputs, outputs, req.getId());
  }

  private static Tensor input(
      InferInputTensor in, ByteString raw, LoadedModel model, long maxTensorBytes) {
    String name = in.getName();
    long[] shape = new long[in.getShapeCount()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = in.getShape(d);
    }
    var checked =
        Inference.checkInput(model.inputs(), name, in.getDatatype(), shape, maxTensorBytes);
    byte[] bytes;
    if (raw != null) {
      if (in.hasContents()) {
        throw ApiError.badRequest(
            "input '" + name + "' has 'contents' as well as raw_input_contents; give one of them");
      }
      bytes = raw.toByteArray();
    } else {
      bytes = typed(name, in.getDatatype(), checked, in.getContents());
    }
    try {
      return RawTensors.decode(name, checked.type(), shape, bytes, 0, bytes.length);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  /** The typed values laid out as raw bytes: little-endian, {@code type.bytes()} per element. */
  private static byte[] typed(
      String name, String datatype, Inference.Input checked, InferTensorContents c) {
    Field field = FIELDS.get(datatype);
    if (field == null) {
      throw ApiError.badRequest(
          "input '" + name + "' of " + datatype + " must come in raw_input_contents");
    }
    int n = checked.count();
    int width = checked.type().bytes();
    int given =
        switch (field) {
          case BOOL -> c.getBoolContentsCount();
          case INT -> c.getIntContentsCount();
          case INT64 -> c.getInt64ContentsCount();
          case UINT -> c.getUintContentsCount();
          case UINT64 -> c.getUint64ContentsCount();
          case FP32 -> c.getFp32ContentsCount();
          case FP64 -> c.getFp64ContentsCount();
          case BYTES -> c.getBytesContentsCount();
        };
    if (given != n) {
      throw ApiError.badRequest(
          "input '"
              + name
              + "' has "
              + given
              + " values in contents."
              + field.proto
              + "; its shape needs "
              + n);
    }
    if (field == Field.BYTES) {
      int total = 0;
      for (ByteString b : c.getBytesContentsList()) {
        total += 4 + b.size();
      }
      ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
      for (ByteString b : c.getBytesContentsList()) {
        out.putInt(b.size());
        b.copyTo(out);
      }
      return out.array();
    }
    ByteBuffer out = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (field) {
        case BOOL -> out.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT -> low(out, c.getIntContents(i), width);
        case UINT -> low(out, c.getUintContents(i), width);
        case INT64 -> out.putLong(c.getInt64Contents(i));
        case UINT64 -> out.putLong(c.getUint64Contents(i));
        case FP32 -> out.putFloat(c.getFp32Contents(i));
        case FP64 -> out.putDouble(c.getFp64Contents(i));
        case BYTES -> throw new AssertionError("handled above");
      }
    }
    return out.array();
  }

  /** The low {@code width} bytes of an int_contents/uint_contents value (INT8..INT32, UINT8..). */
  private static void low(ByteBuffer out, int value, int width) {
    for (int b = 0; b < width; b++) {
      out.put((byte) (value >>> (8 * b)));
    }
  }

  /** The answer, every output in raw_output_contents. */
  static ModelInferResponse write(String model, long version, String id, List<Tensor> outputs) {
    ModelInferResponse.Builder out =
        ModelInferResponse.newBuilder()
            .setModelName(model)
            .setModelVersion(Long.toString(version))
            .setId(id);
    for (Tensor t : outputs) {
      InferOutputTensor.Builder o =
          InferOutputTensor.newBuilder().setName(t.name()).setDatatype(t.type().name());
      Arrays.stream(t.shape()).forEach(o::addShape);
      out.addOutputs(o);
      out.addRawOutputContents(UnsafeByteOperations.unsafeWrap(RawTensors.encode(t)));
    }
    return out.build();
  }
}
