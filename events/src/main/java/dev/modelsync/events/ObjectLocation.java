package dev.modelsync.events;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a version's objects are in an S3-compatible bucket: one object per file under {@code
 * <prefix><model>/<version>/<file>}, plus the manifest object {@link #MANIFEST} beside them, which
 * holds the version's {@code model.saved} data and is written last. Keys are immutable: a version's
 * objects are never overwritten with other bytes.
 *
 * @param bucket the bucket name
 * @param versionPrefix the key prefix of the version's objects, ending in {@code /}
 */
public record ObjectLocation(String bucket, String versionPrefix) {
  /**
   * The manifest object's name under the version prefix. A dot name, which the agent never takes
   * from a models directory, so no model file can have it.
   */
  public static final String MANIFEST = ".modelsync-manifest.json";

  /** S3's bucket naming rules, the part every S3-compatible store shares. */
  public static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private static final String SCHEME = "s3://";

  public ObjectLocation {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(versionPrefix, "versionPrefix");
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("not a bucket name: '" + bucket + "'");
    }
    if (!versionPrefix.endsWith("/") || versionPrefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "a version prefix ends in '/' and does not start with one: '" + versionPrefix + "'");
    }
  }

  /** The location of a model's version under a key prefix ({@code ""} or ending in {@code /}). */
  public static ObjectLocation of(String bucket, String keyPrefix, String model, long version) {
    ModelNames.requireValid(model);
    ModelNames.requireValidVersion(version);
    return new ObjectLocation(bucket, keyPrefix + model + "/" + version + "/");
  }

  /**
   * Reads {@code s3://<bucket>/<version prefix>}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static ObjectLocation parse(String uri) {
    if (uri == null || !uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException("not an s3:// location: '" + uri + "'");
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("no key prefix in '" + uri + "'");
    }
    return new ObjectLocation(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The key of one file of the version, {@code path} relative with {@code /}. */
  public String key(String path) {
    return versionPrefix + path;
  }

  /** The key of the manifest object. */
  public String manifestKey() {
    return versionPrefix + MANIFEST;
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + versionPrefix;
  }
}
