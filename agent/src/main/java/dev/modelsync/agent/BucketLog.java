package dev.modelsync.agent;

import dev.modelsync.agent.bucket.UploadingOutbox;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ObjectLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs and counts what the bucket upload reports, on its thread. */
final class BucketLog implements UploadingOutbox.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(BucketLog.class);
  private final AgentMetrics metrics;

  BucketLog(AgentMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void uploaded(ModelSaved saved, ObjectLocation location, long nanos) {
    metrics.uploaded(saved.size());
    LOG.info(
        "Uploaded model {} version {} digest {} ({} bytes) to {} in {} ms",
        saved.model(),
        saved.version(),
        saved.digest(),
        saved.size(),
        location,
        nanos / 1_000_000);
  }

  @Override
  public void failed(ModelSaved saved, Exception error, int attempts, long retryInMs) {
    metrics.error("upload");
    LOG.warn(
        "Cannot upload model {} version {} digest {} (attempt {}): {}; its model.saved and every"
            + " later event wait, retrying in {} ms",
        saved.model(),
        saved.version(),
        saved.digest(),
        attempts,
        error.getMessage(),
        retryInMs);
  }
}
