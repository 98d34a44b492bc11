package dev.modelsync.api.engine;

import dev.modelsync.events.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Signatures declared in model.json, as the engines report them. */
final class Signatures {
  private Signatures() {}

  /** The declared tensors; a missing datatype reads as FP32, a missing shape as a scalar. */
  static List<TensorInfo> of(List<Manifest.TensorSpec> specs) {
    List<TensorInfo> out = new ArrayList<>(specs.size());
    for (Manifest.TensorSpec s : specs) {
      long[] shape =
          s.shape() == null ? new long[0] : s.shape().stream().mapToLong(Long::longValue).toArray();
      out.add(new TensorInfo(s.name(), s.datatype() == null ? "FP32" : s.datatype(), shape));
    }
    return List.copyOf(out);
  }

  static List<TensorInfo> inputs(Manifest manifest) {
    return manifest == null ? List.of() : of(manifest.inputs());
  }

  static List<TensorInfo> outputs(Manifest manifest) {
    return manifest == null ? List.of() : of(manifest.outputs());
  }

  /**
   * Refuses a signature with a datatype the engine cannot exchange, naming the tensor, so that a
   * model is never advertised with a type it cannot serve.
   */
  static void requireTypes(
      List<TensorInfo> tensors, String side, Set<DataType> served, String engine)
      throws ModelLoadException {
    for (TensorInfo t : tensors) {
      DataType type = t.type();
      if (type == null || !served.contains(type)) {
        throw new ModelLoadException(
            side
                + " '"
                + t.name()
                + "' has datatype "
                + t.datatype()
                + ", which "
                + engine
                + " cannot exchange (it takes "
                + served
                + ")");
      }
    }
  }
}
