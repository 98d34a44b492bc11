package dev.modelsync.api.deploy;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorValues;
import dev.modelsync.events.Manifest;
import java.util.List;

/**
 * How far a shadow candidate's answers are from the served version's, over every compared request:
 * the largest and the mean absolute difference of an output value, and the share of rows (first
 * dimension) holding a value beyond the tolerance ({@link Gate#matches}). A value missing from the
 * candidate's answer, or of another shape, makes its row divergent without entering the
 * differences. Used by one thread.
 */
final class Divergence {
  private final Manifest.Tolerance tolerance;
  private long requests;
  private long rows;
  private long divergentRows;
  private long values;
  private double sumAbs;
  private double maxAbs;

  Divergence(Manifest.Tolerance tolerance) {
    this.tolerance = tolerance;
  }

  /** Adds one request: the served version's answers and the candidate's. */
  void add(List<Tensor> served, List<Tensor> candidate) {
    requests++;
    int requestRows = -1;
    boolean[] divergent = null;
    for (Tensor s : served) {
      if (s.type() == DataType.BYTES) {
        continue;
      }
      int n = s.shape().length == 0 ? 1 : (int) Math.max(1, s.shape()[0]);
      if (divergent == null) {
        requestRows = n;
        divergent = new boolean[n];
      }
      Tensor c = byName(candidate, s.name());
      boolean sameRows = n == requestRows;
      if (c == null || c.type() == DataType.BYTES || c.size() != s.size()) {
        java.util.Arrays.fill(divergent, true);
        continue;
      }
      int perRow = Math.max(1, s.size() / n);
      for (int i = 0; i < s.size(); i++) {
        double want = TensorValues.doubleAt(s.type(), s.data(), i);
        double got = TensorValues.doubleAt(c.type(), c.data(), i);
        if (!Double.isNaN(want) && !Double.isNaN(got) && Double.isFinite(got - want)) {
          double diff = Math.abs(got - want);
          values++;
          sumAbs += diff;
          maxAbs = Math.max(maxAbs, diff);
        }
        if (!Gate.matches(want, got, tolerance)) {
          if (sameRows) {
            divergent[Math.min(i / perRow, n - 1)] = true;
          } else {
            java.util.Arrays.fill(divergent, true);
          }
        }
      }
    }
    if (divergent == null) {
      return;
    }
    rows += requestRows;
    for (boolean d : divergent) {
      if (d) {
        divergentRows++;
      }
    }
  }

  private static Tensor byName(List<Tensor> tensors, String name) {
    for (Tensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  long requests() {
    return requests;
  }

  double maxAbs() {
    return maxAbs;
  }

  double meanAbs() {
    return values == 0 ? 0 : sumAbs / values;
  }

  /** Share of compared rows beyond the tolerance, 0 before any. */
  double divergentShare() {
    return rows == 0 ? 0 : (double) divergentRows / rows;
  }
}
