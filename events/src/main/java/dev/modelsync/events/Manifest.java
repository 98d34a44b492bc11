package dev.modelsync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A version's {@code model.json}: which engine and file to load, the signature, an example input
 * used to warm the model up, and free-form metadata.
 *
 * @param engine {@code OnnxRuntime}, {@code PyTorch} or {@code XGBoost}; null to infer from the
 *     file
 * @param file the model file inside the version directory; null to pick the only model file
 * @param inputs input signature; empty if unknown
 * @param outputs output signature; empty if unknown
 * @param example example input tensors for warm-up; empty to use zeros of the input shapes
 * @param metadata anything else (metrics, git commit, who saved it)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(
    String engine,
    String file,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    List<ExampleTensor> example,
    Map<String, Object> metadata) {

  public static final String FILE_NAME = "model.json";

  public Manifest {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
    example = example == null ? List.of() : List.copyOf(example);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /**
   * One named tensor of a signature.
   *
   * @param name tensor name
   * @param datatype KServe v2 datatype name ({@code FP32}, {@code INT64}, ...)
   * @param shape dimensions, -1 for any size
   */
  public record TensorSpec(String name, String datatype, List<Long> shape) {}

  /**
   * A concrete example tensor.
   *
   * @param name input name
   * @param datatype KServe v2 datatype name; null to take the signature's
   * @param shape concrete dimensions
   * @param data flat row-major values
   */
  public record ExampleTensor(String name, String datatype, List<Long> shape, List<Double> data) {}
}
