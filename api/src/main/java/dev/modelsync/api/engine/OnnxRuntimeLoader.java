package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtSession;
import dev.modelsync.events.Engines;
import dev.modelsync.events.Manifest;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads {@code .onnx} files with DJL's ONNX Runtime engine, fully offline. */
public final class OnnxRuntimeLoader implements ModelLoader {
  public static final String ENGINE = Engines.ONNX_RUNTIME;
  private final int intraOpThreads;

  /**
   * @param intraOpThreads ONNX Runtime intra-op threads per session; 0 = ONNX Runtime's default.
   *     Each session starts its own pool, which dominates the load time of small models.
   */
  public OnnxRuntimeLoader(int intraOpThreads) {
    this.intraOpThreads = intraOpThreads;
  }

  @Override
  public String engine() {
    return ENGINE;
  }

  @Override
  public Set<String> extensions() {
    return Engines.extensionsOf(ENGINE);
  }

  @Override
  public LoadedModel load(String name, Path dir, Manifest manifest) throws ModelLoadException {
    String file = ModelFiles.pick(dir, manifest, extensions());
    Model model = Model.newInstance(name, ENGINE);
    try {
      // DJL 0.35.1's OrtModel sets each thread count on its own; one intra-op thread runs inference
      // on the calling thread, so sessions start no pool threads. Its "cpuArenaAllocator" and
      // "memoryPatternOptimization" keys only ever switch those on (ONNX Runtime's defaults), never
      // off. The CPU arena stays on deliberately: without it every tensor above the image's
      // MALLOC_MMAP_THRESHOLD_ is an mmap and munmap per inference (2.5x slower for
      // NativeMemoryBenchmark's 2.8 MB model), for no steadier RSS over 1,000 swaps.
      model.load(
          dir,
          file,
          Map.of("interOpNumThreads", "1", "intraOpNumThreads", String.valueOf(intraOpThreads)));
      OrtSession session = session(model);
      return new OnnxModel(
          model,
          session,
          signature(session.getInputInfo(), "input"),
          signature(session.getOutputInfo(), "output"));
    } catch (ModelLoadException e) {
      model.close();
      throw new ModelLoadException("cannot serve " + file + ": " + e.getMessage(), e);
    } catch (Exception | UnsatisfiedLinkError e) {
      model.close();
      throw new ModelLoadException(
          "not a loadable ONNX model (" + file + "): " + rootMessage(e), e);
    }
  }

  /**
   * DJL keeps the session private; KServe metadata needs its signature, and its thread-safe {@code
   * run} is the fast inference path.
   */
  private static OrtSession session(Model model) throws ReflectiveOperationException {
    Field field = OrtSymbolBlock.class.getDeclaredField("session");
    field.setAccessible(true);
    return (OrtSession) field.get(model.getBlock());
  }

  /**
   * The datatypes ONNX Runtime's Java API can exchange: it has no UINT16, UINT32 or UINT64 tensors
   * (OnnxJavaType 1.21), so models with such inputs or outputs are refused at load.
   */
  static final Set<DataType> TYPES =
      EnumSet.complementOf(EnumSet.of(DataType.UINT16, DataType.UINT32, DataType.UINT64));

  /**
   * Inputs must all be tensors; outputs that are not (a classifier's sequence of maps, say) are
   * left out of the signature and never run, so only tensors the protocols carry are advertised.
   */
  private static List<TensorInfo> signature(Map<String, NodeInfo> nodes, String side)
      throws ModelLoadException {
    List<TensorInfo> out = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof ai.onnxruntime.TensorInfo info) {
        out.add(new TensorInfo(node.getName(), datatype(info.onnxType), info.getShape()));
      } else if (side.equals("input")) {
        throw new ModelLoadException(
            "input '" + node.getName() + "' is " + node.getInfo() + ", not a tensor");
      }
    }
    Signatures.requireTypes(out, side, TYPES, "ONNX Runtime's Java API");
    return List.copyOf(out);
  }

  /** The KServe name of an ONNX element type; the ONNX name when it has none. */
  private static String datatype(ai.onnxruntime.TensorInfo.OnnxTensorType type) {
    DataType t = dataType(type);
    return t != null ? t.name() : type.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
  }

  /** The datatype of an ONNX element type, or null when the protocol has none for it. */
  static DataType dataType(ai.onnxruntime.TensorInfo.OnnxTensorType type) {
    return switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
      default -> null;
    };
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
