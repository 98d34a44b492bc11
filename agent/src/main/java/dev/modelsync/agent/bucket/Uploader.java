package dev.modelsync.agent.bucket;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.events.ObjectLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Uploads a version from the store to the bucket: every file under {@code
 * <prefix><model>/<version>/<file>}, then the manifest object, so a reader that finds the manifest
 * finds every file. Keys are immutable: a version whose manifest is there already is not uploaded
 * again, and one whose manifest names another digest is refused. Blocking.
 */
public final class Uploader {
  /** The bucket holds another version under the same keys; retrying cannot fix it. */
  public static final class ConflictException extends IOException {
    ConflictException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper MAPPER = Json.newMapper();
  private final S3Client s3;
  private final BucketConfig config;

  public Uploader(S3Client s3, BucketConfig config) {
    this.s3 = s3;
    this.config = config;
  }

  /**
   * Uploads {@code saved}'s files from {@code dir} (its store directory) unless the bucket has the
   * version complete already; returns where it is.
   *
   * @throws IOException the bucket failed or refused (the caller retries), or a {@link
   *     ConflictException}
   */
  public ObjectLocation upload(ModelSaved saved, Path dir) throws IOException {
    ObjectLocation location = config.location(saved.model(), saved.version());
    try {
      if (complete(location, saved)) {
        return location;
      }
      for (FileEntry file :
          saved.files().stream().sorted(Comparator.comparing(FileEntry::path)).toList()) {
        s3.putObject(
            PutObjectRequest.builder()
                .bucket(location.bucket())
                .key(location.key(file.path()))
                .build(),
            RequestBody.fromFile(dir.resolve(file.path())));
      }
      byte[] manifest = MAPPER.writeValueAsBytes(saved.withObjectLocation(null));
      s3.putObject(
          PutObjectRequest.builder()
              .bucket(location.bucket())
              .key(location.manifestKey())
              .contentType("application/json")
              .build(),
          RequestBody.fromBytes(manifest));
      return location;
    } catch (SdkException e) {
      throw new IOException(
          "cannot upload to " + location + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  /** Whether the manifest object is there with this digest; another digest is a conflict. */
  private boolean complete(ObjectLocation location, ModelSaved saved) throws IOException {
    ResponseBytes<GetObjectResponse> existing;
    try {
      existing =
          s3.getObjectAsBytes(
              GetObjectRequest.builder()
                  .bucket(location.bucket())
                  .key(location.manifestKey())
                  .build());
    } catch (NoSuchKeyException e) {
      return false;
    }
    String digest;
    try {
      digest = MAPPER.readTree(existing.asByteArray()).path("digest").asText("");
    } catch (IOException e) {
      digest = "(unreadable manifest: " + e.getMessage() + ")";
    }
    if (!digest.equals(saved.digest())) {
      throw new ConflictException(
          location
              + " holds "
              + digest
              + ", not "
              + saved.digest()
              + ": keys are immutable, so this version is not uploaded (remove the objects or use"
              + " another MODELSYNC_S3_PREFIX)");
    }
    return true;
  }
}
