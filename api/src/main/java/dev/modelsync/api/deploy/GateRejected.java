package dev.modelsync.api.deploy;

import dev.modelsync.events.ModelStatus;
import java.util.List;

/** A loaded version answered its gate wrongly (or has none when one is required). */
final class GateRejected extends Exception {
  private final transient List<ModelStatus.Mismatch> mismatches;

  GateRejected(String reason, List<ModelStatus.Mismatch> mismatches) {
    super(reason);
    this.mismatches = List.copyOf(mismatches);
  }

  /** The first differing values, at most {@link ModelStatus#MAX_MISMATCHES}. */
  List<ModelStatus.Mismatch> mismatches() {
    return mismatches;
  }
}
