package dev.modelsync.api.artifacts;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.events.ModelSaved;
import java.nio.file.Path;

/**
 * Where the files of a version come from: the one seam between a {@code model.saved} event and the
 * directory the engine loads. Implementations: {@link LocalStore} (the store directory the agent
 * writes, shared by volume) and {@link RemoteArtifacts} (a local cache filled through a {@link
 * Transport}: the agent's {@code GET /artifacts} over HTTP, or an S3-compatible bucket the agent
 * uploads each version to; a local store that holds the version is read first). {@link
 * ArtifactSources} builds them from the configuration; one replica can use all three.
 *
 * <p>The contract every source keeps: {@link #fetch} is blocking and runs on the load pool, never
 * the event loop; the directory it returns holds the version completely and its digest ({@code
 * Digests.ofDirectory}) equals the event's, checked by the source; a partial or mismatching copy is
 * never returned, it fails with the reason that {@code model.load_failed} publishes.
 *
 * <p>The bucket ({@link BucketTransport}): the agent uploads each version under {@code
 * <prefix><model>/<version>/<file>} with the manifest object {@code .modelsync-manifest.json}
 * written last, and only then publishes {@code model.saved} naming the location ({@code
 * objectLocation}). A replica with {@code MODELSYNC_S3_BUCKET} fetches such a version from the
 * bucket: the manifest must be there with the event's digest, then each file streams through the
 * same {@link Downloader} as HTTP (ranged {@code GetObject}s resume a broken transfer; each file's
 * SHA-256 and the version digest are checked while streaming, into a {@code .partial-<uuid>}
 * directory renamed into place only after both pass). Credentials come from the AWS SDK's default
 * chain, never from events, and the event's location must be the one the replica's own bucket
 * settings give.
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
