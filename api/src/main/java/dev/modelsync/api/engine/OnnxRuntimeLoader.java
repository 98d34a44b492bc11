package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtSession;
import dev.modelsync.events.Manifest;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads {@code .onnx} files with DJL's ONNX Runtime engine, fully offline. */
public final class OnnxRuntimeLoader implements ModelLoader {
  public static final String ENGINE = "OnnxRuntime";
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
    return Set.of("onnx");
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
          model, session, signature(session.getInputInfo()), signature(session.getOutputInfo()));
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

  private static List<TensorInfo> signature(Map<String, NodeInfo> nodes) {
    List<TensorInfo> out = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof ai.onnxruntime.TensorInfo info) {
        out.add(new TensorInfo(node.getName(), datatype(info), info.getShape()));
      } else {
        out.add(new TensorInfo(node.getName(), "UNSUPPORTED", new long[0]));
      }
    }
    return List.copyOf(out);
  }

  private static String datatype(ai.onnxruntime.TensorInfo info) {
    return switch (info.onnxType) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> "FP32";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> "FP64";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> "FP16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> "BF16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> "INT8";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> "INT16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> "INT32";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> "INT64";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> "UINT8";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> "UINT16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> "UINT32";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> "UINT64";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> "BOOL";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> "BYTES";
      default -> "UNSUPPORTED";
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
