package dev.modelsync.agent;

import dev.modelsync.agent.watch.SaveUnit;

/** What the agent knows of one unit between observations; used on the sync thread only. */
final class Tracker {
  final SaveUnit unit;
  String fingerprint;
  long unchangedSince;

  /** The fingerprint already dealt with (published, skipped or invalid): nothing to do. */
  String settled;

  boolean recheckScheduled;
  String state = "waiting";

  /** Snapshots that failed in a row (full or unwritable store): the retry backs off. */
  int failures;

  Tracker(SaveUnit unit) {
    this.unit = unit;
  }

  /** Nothing to do until the fingerprint changes from {@code fingerprint}. */
  void settle(String fingerprint, String state) {
    this.settled = fingerprint;
    this.state = state;
  }
}
