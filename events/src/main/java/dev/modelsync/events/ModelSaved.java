package dev.modelsync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A version of a model was saved completely and snapshotted into the store.
 *
 * @param model model name, matching {@link ModelNames#PATTERN}
 * @param version positive version number
 * @param digest {@code sha256:<hex>} over the version's files, as {@link Digests#ofDirectory}
 *     computes it
 * @param size total bytes of all files
 * @param engine DJL engine name: {@code OnnxRuntime}, {@code PyTorch} or {@code XGBoost}
 * @param files every file of the version, relative to the artifact directory
 * @param artifact where the files are, relative to the store root ({@code <model>/<version>})
 * @param manifest the version's {@code model.json}, or one derived from the files
 * @param savedAt when the save was seen complete by the agent (start of the save-to-serve clock)
 * @param objectLocation where the version's objects are in an S3-compatible bucket, {@code
 *     s3://<bucket>/<prefix><model>/<version>/} ({@link ObjectLocation}); absent (null) when the
 *     agent uploads to no bucket. Present only once every object and the manifest object are there.
 */
public record ModelSaved(
    String model,
    long version,
    String digest,
    long size,
    String engine,
    List<FileEntry> files,
    String artifact,
    Manifest manifest,
    Instant savedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) String objectLocation)
    implements ModelEvent {

  public ModelSaved {
    ModelNames.requireValid(model);
    ModelNames.requireValidVersion(version);
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(engine, "engine");
    files = List.copyOf(files);
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(savedAt, "savedAt");
  }

  /** The same version, its objects at {@code location} in a bucket. */
  public ModelSaved withObjectLocation(String location) {
    return new ModelSaved(
        model, version, digest, size, engine, files, artifact, manifest, savedAt, location);
  }

  @Override
  public String type() {
    return EventTypes.SAVED;
  }

  /** One file of a version. */
  public record FileEntry(String path, long size, String sha256) {}
}
