package dev.modelsync.agent.sync;

import dev.modelsync.agent.watch.SaveUnit;

/** What the agent knows of one unit between observations; used on the sync thread only. */
final class Tracker {
  /** Where a unit is on its way to Kafka; /models shows it as its word and a detail. */
  enum State {
    WAITING("waiting"),
    PENDING("pending"),
    PUBLISHED("published"),
    DUPLICATE("same"),
    RETRYING("retrying"),
    INVALID("invalid"),
    REJECTED("rejected"),
    CONFLICT("conflict");

    final String word;

    State(String word) {
      this.word = word;
    }
  }

  final SaveUnit unit;
  String fingerprint;
  long unchangedSince;

  /** The fingerprint already dealt with (published, skipped or invalid): nothing to do. */
  String settled;

  boolean recheckScheduled;
  private State state = State.WAITING;

  /** What follows the state's word on /models, such as " as version 3" or ": still changing". */
  private String detail = "";

  /** {@link #describe()}: the same String until the tracker changes. */
  private String described = state.word;

  /** Snapshots that failed in a row (full or unwritable store): the retry backs off. */
  int failures;

  Tracker(SaveUnit unit) {
    this.unit = unit;
  }

  State state() {
    return state;
  }

  void enter(State state, String detail) {
    this.state = state;
    this.detail = detail;
    this.described = state.word + detail;
  }

  /** Nothing to do until the fingerprint changes from {@code fingerprint}. */
  void settle(String fingerprint, State state, String detail) {
    this.settled = fingerprint;
    enter(state, detail);
  }

  /** As /models shows it, such as {@code published as version 3}. */
  String describe() {
    return described;
  }
}
