package dev.modelsync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A version's {@code model.json}: which engine and file to load, the signature, an example input
 * used to warm the model up, an optional gate, and free-form metadata.
 *
 * @param engine {@code OnnxRuntime}, {@code PyTorch} or {@code XGBoost}; null to infer from the
 *     file
 * @param file the model file inside the version directory; null to pick the only model file
 * @param inputs input signature; empty if unknown
 * @param outputs output signature; empty if unknown
 * @param example example input tensors for warm-up; empty to use zeros of the input shapes
 * @param metadata anything else (metrics, git commit, who saved it)
 * @param gate example inputs with the outputs the version must answer before it may serve; null for
 *     none (the api's {@code MODELSYNC_GATE} then says whether a version without one is refused)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(
    String engine,
    String file,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    List<ExampleTensor> example,
    Map<String, Object> metadata,
    Gate gate) {

  public static final String FILE_NAME = "model.json";

  /** A manifest without a gate. */
  public Manifest(
      String engine,
      String file,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      List<ExampleTensor> example,
      Map<String, Object> metadata) {
    this(engine, file, inputs, outputs, example, metadata, null);
  }

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

  /**
   * Known answers a new version must give before it may serve. A version whose answers differ by
   * more than the tolerance is refused ({@code model.rejected}); the version being served keeps
   * serving. An output value {@code v} matches the expected {@code e} when {@code |v - e| <= abs}
   * or {@code |v - e| <= rel * |e|} (either bound suffices; a NaN matches only a NaN).
   *
   * @param tolerance the default tolerance of every output; null for {@link Tolerance#DEFAULT}
   * @param cases at least one case
   */
  public record Gate(Tolerance tolerance, List<GateCase> cases) {
    public Gate {
      cases = cases == null ? List.of() : List.copyOf(cases);
    }
  }

  /**
   * How far an output may be from the expected value.
   *
   * @param abs absolute bound, {@code >= 0}; null for none
   * @param rel bound relative to the expected value's magnitude, {@code >= 0}; null for none
   */
  public record Tolerance(Double abs, Double rel) {
    /** Used when neither the gate nor the output sets one: float32 round-off, nothing more. */
    public static final Tolerance DEFAULT = new Tolerance(1e-5, 1e-4);
  }

  /**
   * One known answer.
   *
   * @param inputs concrete input tensors, as in {@code example}
   * @param outputs the expected values of some or all outputs
   */
  public record GateCase(List<ExampleTensor> inputs, List<ExpectedOutput> outputs) {
    public GateCase {
      inputs = inputs == null ? List.of() : List.copyOf(inputs);
      outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
  }

  /**
   * The values one output must have.
   *
   * @param name output name
   * @param data flat row-major expected values (BOOL as 1/0)
   * @param tolerance this output's tolerance; null for the gate's
   */
  public record ExpectedOutput(String name, List<Double> data, Tolerance tolerance) {}
}
