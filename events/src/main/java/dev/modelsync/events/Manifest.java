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
 * @param rollout how the version replaces the one served before; null for the api's default ({@code
 *     MODELSYNC_ROLLOUT})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(
    String engine,
    String file,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    List<ExampleTensor> example,
    Map<String, Object> metadata,
    Gate gate,
    Rollout rollout) {

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

  /**
   * How a new version replaces the one served before, once it loaded, warmed up and passed its
   * gate. The api checks every field when it loads the version; a bad value is a load failure
   * naming the field. Null fields take the defaults given here.
   *
   * @param policy {@code instant} (serve at once), {@code shadow} (run a copy of live requests,
   *     throw the answers away, compare) or {@code canary} (serve a growing share of requests)
   * @param tolerance shadow: how far an output value may be from the served version's; default
   *     {@link Tolerance#DEFAULT}
   * @param maxDivergentShare shadow: the share of rows (0..1) allowed beyond the tolerance; default
   *     0
   * @param promoteAfter shadow: decide after this many shadowed requests (promote at or under
   *     {@code maxDivergentShare}, else roll back); 0 = only an admin decides; default 0
   * @param steps canary: increasing shares of requests in percent, the last 100; default [5, 25,
   *     100]
   * @param dwellMs canary: time spent at each step before its measures decide; default 60000
   * @param minRequests canary: requests the candidate must answer in a step before it may move on;
   *     default 20
   * @param maxErrorRateIncrease canary: how much the candidate's error rate (0..1) may exceed the
   *     served version's; default 0.01
   * @param maxP99IncreaseMs canary: how many milliseconds the candidate's p99 latency may exceed
   *     the served version's; default 100
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Rollout(
      String policy,
      Tolerance tolerance,
      Double maxDivergentShare,
      Long promoteAfter,
      List<Integer> steps,
      Long dwellMs,
      Long minRequests,
      Double maxErrorRateIncrease,
      Double maxP99IncreaseMs) {}
}
