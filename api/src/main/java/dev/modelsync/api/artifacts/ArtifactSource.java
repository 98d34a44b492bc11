package dev.modelsync.api.artifacts;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.events.ModelSaved;
import java.nio.file.Path;

/**
 * Where the files of a version come from: the one seam between a {@code model.saved} event and the
 * directory the engine loads. Implementations: {@link LocalStore} (the store directory the agent
 * writes, shared by volume) and {@link RemoteArtifacts} (the agent's {@code GET /artifacts} over
 * HTTP into a local cache, falling back from a local store that lacks the version).
 *
 * <p>The contract every source keeps: {@link #fetch} is blocking and runs on the load pool, never
 * the event loop; the directory it returns holds the version completely and its digest ({@code
 * Digests.ofDirectory}) equals the event's, checked by the source; a partial or mismatching copy is
 * never returned, it fails with the reason that {@code model.load_failed} publishes.
 *
 * <p><b>Object storage (S3, GCS, Azure Blob)</b> fits behind this interface without touching the
 * catalog: the agent (or a CI job) uploads each version under {@code <prefix>/<model>/<version>/}
 * after the snapshot, and an {@code ObjectStoreArtifacts} source does what {@link RemoteArtifacts}
 * does with a different transport: for each file of the event, a ranged {@code GetObject} of {@code
 * <prefix>/<artifact>/<path>} (ranges resume a broken transfer, as here), streamed into the same
 * {@code .partial-<uuid>} cache directory with each file's SHA-256 and the version digest checked
 * before the rename. Only the transport ({@code Downloader}) changes; the cache, the in-flight
 * de-duplication and the eviction are reused. Credentials come from the SDK's default chain (IRSA /
 * workload identity), never from events, and a new setting such as {@code
 * MODELSYNC_ARTIFACT_BASE_URL=s3://bucket/prefix} would choose the source by its scheme.
 */
public interface ArtifactSource extends AutoCloseable {
  /**
   * A directory holding exactly the version's files, verified against {@code saved.digest()}.
   * Blocking.
   *
   * @throws ModelLoadException with the reason, if the version cannot be had or does not verify
   */
  Path fetch(ModelSaved saved) throws ModelLoadException;

  /** Releases what the source holds (a temporary cache directory it made). */
  @Override
  default void close() {}
}
