package dev.modelsync.config;

import dev.modelsync.events.ObjectLocation;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The S3-compatible bucket versions are kept in ({@code MODELSYNC_S3_*}): the agent uploads each
 * version there, api replicas fetch from it. Credentials are not here: they come from the AWS SDK's
 * default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, a web identity, an
 * instance role), never from events or flags.
 *
 * @param bucket the bucket name
 * @param endpoint the S3 endpoint ({@code http://minio:9000}); empty = AWS S3 of {@code region}
 * @param region the signing region ({@code us-east-1} suits most S3-compatible stores)
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}, as
 *     MinIO and S3Proxy need
 * @param prefix put before every key: empty, or ending in {@code /}
 */
public record BucketConfig(
    String bucket, Optional<URI> endpoint, String region, boolean pathStyle, String prefix) {

  /**
   * The AWS SDK's own variables (its default credential chain and region), read by the SDK rather
   * than by a config record: deployments may set them beside the options.
   */
  public static final java.util.Set<String> SDK_VARIABLES =
      java.util.Set.of(
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_REGION",
          "AWS_ROLE_ARN",
          "AWS_WEB_IDENTITY_TOKEN_FILE");

  public static final Option BUCKET =
      Option.optional(
          "MODELSYNC_S3_BUCKET",
          null,
          null,
          "S3-compatible bucket of the versions (agent: uploads each version, then publishes;"
              + " api: fetches the versions whose event names it); unset = no bucket");
  public static final Option ENDPOINT =
      Option.optional(
              "MODELSYNC_S3_ENDPOINT",
              null,
              null,
              "S3 endpoint URL (http://minio:9000); unset = AWS S3 in MODELSYNC_S3_REGION")
          .checked(Check.HTTP_URL);
  public static final Option REGION =
      Option.optional("MODELSYNC_S3_REGION", null, "us-east-1", "S3 signing region");
  public static final Option PATH_STYLE =
      Option.optional(
              "MODELSYNC_S3_PATH_STYLE",
              null,
              "false",
              "true: path-style URLs (http://host/bucket/key), as MinIO and S3Proxy need")
          .checked(Check.BOOLEAN);
  public static final Option PREFIX =
      Option.optional(
          "MODELSYNC_S3_PREFIX",
          null,
          "",
          "key prefix, empty or ending in '/': keys are <prefix><model>/<version>/<file>");

  /** Every bucket option, for a process's {@code OPTIONS} list. */
  public static final List<Option> OPTIONS = List.of(BUCKET, ENDPOINT, REGION, PATH_STYLE, PREFIX);

  public BucketConfig {
    Objects.requireNonNull(endpoint, ENDPOINT.label());
    if (bucket == null || !ObjectLocation.BUCKET.matcher(bucket).matches()) {
      throw new ConfigException(
          BUCKET.label()
              + " must be a bucket name (3-63 lower-case letters, digits, '.' and '-'), got '"
              + bucket
              + "'");
    }
    endpoint.ifPresent(url -> ENDPOINT.require(url.toString()));
    if (region == null || !region.matches("[a-z0-9-]{1,64}")) {
      throw new ConfigException(REGION.label() + " must be a region name, got '" + region + "'");
    }
    if (prefix == null
        || !(prefix.isEmpty() || prefix.endsWith("/"))
        || prefix.startsWith("/")
        || prefix.contains("//")
        || ("/" + prefix).contains("/../")
        || ("/" + prefix).contains("/./")
        || !prefix.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new ConfigException(
          PREFIX.label()
              + " must be empty or printable path segments ending in '/' (models/), got '"
              + prefix
              + "'");
    }
  }

  /** The bucket if {@code MODELSYNC_S3_BUCKET} is set; a bad value names its variable. */
  public static Optional<BucketConfig> from(Settings settings) {
    String bucket = settings.optionalString(BUCKET);
    if (bucket == null) {
      return Optional.empty();
    }
    String endpoint = settings.optionalString(ENDPOINT);
    return Optional.of(
        new BucketConfig(
            bucket,
            endpoint == null || endpoint.isBlank() ? Optional.empty() : Optional.of(url(endpoint)),
            settings.string(REGION),
            bool(settings.string(PATH_STYLE)),
            settings.string(PREFIX)));
  }

  /** Where a model's version is (or goes) in this bucket. */
  public ObjectLocation location(String model, long version) {
    return ObjectLocation.of(bucket, prefix, model, version);
  }

  private static boolean bool(String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new ConfigException(
              PATH_STYLE.label() + " must be true or false, got '" + text + "'");
    };
  }

  private static URI url(String text) {
    return URI.create(ENDPOINT.require(text)); // Check.HTTP_URL: a parseable http(s) URL
  }
}
