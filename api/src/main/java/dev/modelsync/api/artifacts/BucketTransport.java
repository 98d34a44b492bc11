package dev.modelsync.api.artifacts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.events.ObjectLocation;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The bucket the agent uploads to: serves the versions whose {@code model.saved} names an object
 * location. The event's location must be the one this replica's {@code MODELSYNC_S3_BUCKET} and
 * {@code MODELSYNC_S3_PREFIX} give for the version, so an event cannot send a replica to another
 * bucket; the manifest object (written last) must be there with the event's digest before any file
 * is read, so a partial upload is never fetched. Ranged {@code GetObject}s resume a broken
 * transfer.
 */
final class BucketTransport implements Transport {
  private static final ObjectMapper MAPPER = Json.newMapper();
  private final S3Client s3;
  private final BucketConfig config;

  BucketTransport(S3Client s3, BucketConfig config) {
    this.s3 = s3;
    this.config = config;
  }

  @Override
  public boolean serves(ModelSaved saved) {
    return saved.objectLocation() != null;
  }

  @Override
  public void prepare(ModelSaved saved) throws IOException {
    ObjectLocation location = location(saved);
    byte[] manifest;
    try {
      manifest =
          s3.getObjectAsBytes(
                  GetObjectRequest.builder()
                      .bucket(location.bucket())
                      .key(location.manifestKey())
                      .build())
              .asByteArray();
    } catch (NoSuchKeyException e) {
      throw new IOException(
          "no manifest object " + location.manifestKey() + ": the upload is not complete");
    } catch (SdkException e) {
      throw failure(location.manifestKey(), e);
    }
    String digest;
    try {
      digest = MAPPER.readTree(manifest).path("digest").asText("");
    } catch (IOException e) {
      throw new Downloader.Permanent(
          "the manifest object " + location.manifestKey() + " is not JSON: " + e.getMessage());
    }
    if (!digest.equals(saved.digest())) {
      throw new Downloader.Permanent(
          "the manifest object in "
              + location
              + " names digest "
              + digest
              + ", the event says "
              + saved.digest());
    }
  }

  @Override
  public InputStream open(ModelSaved saved, FileEntry file, long from) throws IOException {
    ObjectLocation location = location(saved);
    GetObjectRequest.Builder get =
        GetObjectRequest.builder().bucket(location.bucket()).key(location.key(file.path()));
    if (from > 0) {
      get.range("bytes=" + from + "-");
    }
    try {
      return s3.getObject(get.build());
    } catch (SdkException e) {
      throw failure(location.key(file.path()), e);
    }
  }

  @Override
  public String describe(ModelSaved saved, FileEntry file) {
    return saved.objectLocation() + file.path();
  }

  /** The event's location, if it is where this replica's bucket settings put the version. */
  private ObjectLocation location(ModelSaved saved) throws Downloader.Permanent {
    ObjectLocation expected = config.location(saved.model(), saved.version());
    if (!expected.toString().equals(saved.objectLocation())) {
      throw new Downloader.Permanent(
          "the event names "
              + saved.objectLocation()
              + ", but "
              + BucketConfig.BUCKET.env()
              + " and "
              + BucketConfig.PREFIX.env()
              + " put the version at "
              + expected);
    }
    return expected;
  }

  /** Refused credentials are permanent; everything else (an outage, a 404) is retried. */
  private static IOException failure(String key, SdkException e) {
    String message =
        "bucket "
            + key
            + ": "
            + (e.getMessage() == null
                ? e.toString()
                : e.getMessage().lines().findFirst().orElse(""));
    if (e instanceof S3Exception refused
        && (refused.statusCode() == 401 || refused.statusCode() == 403)) {
      return new Downloader.Permanent(message + " (check the credentials)");
    }
    return new IOException(message, e);
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return "s3://" + config.bucket() + "/" + config.prefix();
  }
}
