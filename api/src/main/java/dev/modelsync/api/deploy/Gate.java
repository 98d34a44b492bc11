package dev.modelsync.api.deploy;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.InferenceException;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.api.engine.TensorValues;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.ModelStatus.Mismatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a loaded version's gate ({@link Manifest.Gate}) before it may serve, on the load thread. A
 * gate that cannot be run as written (no cases, an unknown input or output, a negative tolerance)
 * is a {@link ModelLoadException} like any bad {@code model.json}; answers that differ are a {@link
 * GateRejected} carrying the first differing values.
 */
final class Gate {
  private final GateMode mode;

  Gate(GateMode mode) {
    this.mode = mode;
  }

  /** Checks {@code model} against its manifest's gate; returns normally when it may serve. */
  void check(LoadedModel model, Manifest manifest) throws ModelLoadException, GateRejected {
    Manifest.Gate gate = manifest == null ? null : manifest.gate();
    if (gate == null) {
      if (mode == GateMode.REQUIRED) {
        throw new GateRejected(
            "rejected: model.json has no gate and MODELSYNC_GATE=required", List.of());
      }
      return;
    }
    if (gate.cases().isEmpty()) {
      throw bad("it has no cases");
    }
    Manifest.Tolerance byDefault = tolerance(gate.tolerance(), Manifest.Tolerance.DEFAULT, "gate");
    List<Mismatch> first = new ArrayList<>();
    long differing = 0;
    for (int c = 0; c < gate.cases().size(); c++) {
      Manifest.GateCase gateCase = gate.cases().get(c);
      if (gateCase.inputs().isEmpty() || gateCase.outputs().isEmpty()) {
        throw bad("case " + c + " needs inputs and outputs");
      }
      List<Tensor> answers = run(model, c, gateCase);
      for (Manifest.ExpectedOutput expected : gateCase.outputs()) {
        Manifest.Tolerance tol = tolerance(expected.tolerance(), byDefault, expected.name());
        differing += compare(c, expected, answer(answers, c, expected.name()), tol, first);
      }
    }
    if (differing > 0) {
      StringBuilder reason =
          new StringBuilder("rejected by its gate: " + differing + " value(s) differ:");
      for (Mismatch m : first) {
        reason.append(
            String.format(
                " case %d output '%s'[%d] expected %s, got %s (abs %s, rel %s);",
                m.gateCase(), m.output(), m.index(), m.expected(), m.actual(), m.abs(), m.rel()));
      }
      reason.setLength(reason.length() - 1);
      throw new GateRejected(reason.toString(), first);
    }
  }

  private static List<Tensor> run(LoadedModel model, int c, Manifest.GateCase gateCase)
      throws ModelLoadException {
    List<Tensor> inputs = new ArrayList<>();
    for (Manifest.ExampleTensor ex : gateCase.inputs()) {
      inputs.add(input(model, c, ex));
    }
    try {
      return model.predict(inputs, List.of());
    } catch (InferenceException | RuntimeException e) {
      throw new ModelLoadException("gate case " + c + " could not run: " + e.getMessage(), e);
    }
  }

  private static Tensor input(LoadedModel model, int c, Manifest.ExampleTensor ex)
      throws ModelLoadException {
    TensorInfo info =
        model.inputs().stream().filter(i -> i.name().equals(ex.name())).findFirst().orElse(null);
    if (info == null || ex.shape() == null || ex.data() == null) {
      throw bad("case " + c + " input '" + ex.name() + "' is not an input with shape and data");
    }
    DataType type = DataType.of(ex.datatype() != null ? ex.datatype() : info.datatype());
    if (type == null || type == DataType.BYTES) {
      throw bad("case " + c + " input '" + ex.name() + "' has no numeric datatype");
    }
    long[] shape = ex.shape().stream().mapToLong(Long::longValue).toArray();
    if (Tensor.elementCount(shape) != ex.data().size()) {
      throw bad("case " + c + " input '" + ex.name() + "' has data not of its shape");
    }
    Object data = type.newArray(ex.data().size());
    for (int i = 0; i < ex.data().size(); i++) {
      double d = ex.data().get(i);
      if (type.floating()) {
        TensorValues.setFloating(type, data, i, d);
      } else if (type == DataType.BOOL) {
        ((boolean[]) data)[i] = d != 0;
      } else if ((long) d == d && TensorValues.fits(type, (long) d)) {
        TensorValues.setInteger(type, data, i, (long) d);
      } else {
        throw bad("case " + c + " input '" + ex.name() + "' value " + d + " does not fit " + type);
      }
    }
    return new Tensor(ex.name(), type, shape, data);
  }

  private static Tensor answer(List<Tensor> answers, int c, String name) throws ModelLoadException {
    for (Tensor t : answers) {
      if (t.name().equals(name)) {
        if (t.type() == DataType.BYTES) {
          throw bad("case " + c + " output '" + name + "' is BYTES, not comparable");
        }
        return t;
      }
    }
    throw bad("case " + c + " names output '" + name + "', which the model does not answer");
  }

  /** Counts the differing values, adding the first ones to {@code first}. */
  private static long compare(
      int c,
      Manifest.ExpectedOutput expected,
      Tensor actual,
      Manifest.Tolerance tol,
      List<Mismatch> first)
      throws ModelLoadException {
    if (expected.data() == null) {
      throw bad("case " + c + " output '" + expected.name() + "' has no data");
    }
    int n = Math.max(expected.data().size(), actual.size());
    long differing = 0;
    for (int i = 0; i < n; i++) {
      Double want = i < expected.data().size() ? expected.data().get(i) : null;
      Double got =
          i < actual.size() ? TensorValues.doubleAt(actual.type(), actual.data(), i) : null;
      if (want == null || got == null || !matches(want, got, tol)) {
        differing++;
        if (first.size() < ModelStatus.MAX_MISMATCHES) {
          first.add(new Mismatch(c, expected.name(), i, want, got, tol.abs(), tol.rel()));
        }
      }
    }
    return differing;
  }

  /**
   * Within the absolute or the relative bound; NaN matches only NaN, infinities only themselves.
   */
  static boolean matches(double expected, double actual, Manifest.Tolerance tol) {
    if (Double.isNaN(expected) || Double.isNaN(actual) || Double.isInfinite(expected)) {
      return Double.compare(expected, actual) == 0;
    }
    double diff = Math.abs(actual - expected);
    double abs = tol.abs() == null ? 0 : tol.abs();
    double rel = tol.rel() == null ? 0 : tol.rel();
    return diff <= abs || diff <= rel * Math.abs(expected);
  }

  private static Manifest.Tolerance tolerance(
      Manifest.Tolerance given, Manifest.Tolerance fallback, String where)
      throws ModelLoadException {
    if (given == null) {
      return fallback;
    }
    for (Double bound : new Double[] {given.abs(), given.rel()}) {
      if (bound != null && !(bound >= 0 && bound < Double.POSITIVE_INFINITY)) {
        throw bad("the tolerance of " + where + " must be finite and >= 0, got " + bound);
      }
    }
    return given;
  }

  private static ModelLoadException bad(String what) {
    return new ModelLoadException("bad gate in model.json: " + what);
  }
}
