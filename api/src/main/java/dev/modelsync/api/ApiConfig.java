package dev.modelsync.api;

import static dev.modelsync.api.ApiOptions.ADMIN_TOKEN;
import static dev.modelsync.api.ApiOptions.ADMIN_TOKEN_MIN_LENGTH;
import static dev.modelsync.api.ApiOptions.ARTIFACT_BASE_URL;
import static dev.modelsync.api.ApiOptions.CACHE_DIR;
import static dev.modelsync.api.ApiOptions.CACHE_MAX_BYTES;
import static dev.modelsync.api.ApiOptions.EVENTS_TOPIC;
import static dev.modelsync.api.ApiOptions.GATE;
import static dev.modelsync.api.ApiOptions.GRPC_PORT;
import static dev.modelsync.api.ApiOptions.HOST;
import static dev.modelsync.api.ApiOptions.HTTP_INSTANCES;
import static dev.modelsync.api.ApiOptions.INFER_THREADS;
import static dev.modelsync.api.ApiOptions.INLINE_MAX_MICROS;
import static dev.modelsync.api.ApiOptions.INSTANCE_ID;
import static dev.modelsync.api.ApiOptions.KEEP_VERSIONS;
import static dev.modelsync.api.ApiOptions.LOAD_THREADS;
import static dev.modelsync.api.ApiOptions.MAX_BODY_BYTES;
import static dev.modelsync.api.ApiOptions.MAX_BUFFERED_BYTES;
import static dev.modelsync.api.ApiOptions.MAX_IN_FLIGHT;
import static dev.modelsync.api.ApiOptions.MAX_TENSOR_BYTES;
import static dev.modelsync.api.ApiOptions.OPTIONS;
import static dev.modelsync.api.ApiOptions.ORT_INTRA_OP_THREADS;
import static dev.modelsync.api.ApiOptions.PORT;
import static dev.modelsync.api.ApiOptions.REQUEST_TIMEOUT_MS;
import static dev.modelsync.api.ApiOptions.ROLLOUT;
import static dev.modelsync.api.ApiOptions.SHADOW_QUEUE;
import static dev.modelsync.api.ApiOptions.SHADOW_STACK;
import static dev.modelsync.api.ApiOptions.STATUS_TOPIC;
import static dev.modelsync.api.ApiOptions.STORE_DIR;

import dev.modelsync.api.deploy.GateMode;
import dev.modelsync.api.deploy.LoadWarmUp;
import dev.modelsync.api.deploy.RolloutMode;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.EventKeySetting;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.Option;
import dev.modelsync.config.Secret;
import dev.modelsync.config.Settings;
import dev.modelsync.events.EventKey;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the api process is configured with, read once at start from the environment and flags.
 * Every bad value is a {@link ConfigException} naming the variable.
 */
public record ApiConfig(
    KafkaClientConfig kafka,
    Optional<Path> storeDir,
    String eventsTopic,
    String statusTopic,
    String host,
    int port,
    String instanceId,
    Optional<Secret> adminToken,
    int keepVersions,
    int ortIntraOpThreads,
    int inferThreads,
    int loadThreads,
    int httpInstances,
    int maxBodyBytes,
    int maxInFlight,
    long maxTensorBytes,
    long requestTimeoutMs,
    Optional<EventKey> eventKey,
    Artifacts artifacts,
    int grpcPort,
    long maxBufferedBytes,
    GateMode gate,
    long inlineMaxMicros,
    RolloutMode rollout,
    int shadowQueue,
    int shadowStack,
    int loadWarmUpRounds) {

  /**
   * Where versions come from besides the store directory.
   *
   * @param baseUrl the agent's HTTP address; empty = the store directory only
   * @param token sent to the agent as a bearer token
   * @param cacheDir where fetched versions are kept; empty = a new temporary directory
   * @param cacheMaxBytes the cache is trimmed to this size after each fetch
   * @param bucket the bucket versions whose event names an object location are fetched from
   */
  public record Artifacts(
      Optional<URI> baseUrl,
      Optional<ArtifactToken> token,
      Optional<Path> cacheDir,
      long cacheMaxBytes,
      Optional<BucketConfig> bucket) {
    public Artifacts {
      Objects.requireNonNull(baseUrl, ARTIFACT_BASE_URL.label());
      Objects.requireNonNull(token, ArtifactToken.OPTION.label());
      Objects.requireNonNull(cacheDir, CACHE_DIR.label());
      Objects.requireNonNull(bucket, BucketConfig.BUCKET.label());
      baseUrl.ifPresent(url -> ARTIFACT_BASE_URL.require(url.toString()));
      CACHE_MAX_BYTES.require(cacheMaxBytes);
    }
  }

  public ApiConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(storeDir, STORE_DIR.label());
    Objects.requireNonNull(artifacts, ARTIFACT_BASE_URL.label());
    if (storeDir.isEmpty() && artifacts.baseUrl().isEmpty() && artifacts.bucket().isEmpty()) {
      throw new ConfigException(
          STORE_DIR.label()
              + " is required unless "
              + ARTIFACT_BASE_URL.label()
              + " or "
              + BucketConfig.BUCKET.label()
              + " is set");
    }
    // each value as its option declares it (the same checks Settings.parse ran on the text)
    EVENTS_TOPIC.require(eventsTopic);
    STATUS_TOPIC.require(statusTopic);
    HOST.require(host);
    PORT.require(port);
    GRPC_PORT.require(grpcPort);
    if (grpcPort != 0 && grpcPort == port) {
      throw new ConfigException(
          GRPC_PORT.label() + " and " + PORT.label() + " must differ, both are " + port);
    }
    INSTANCE_ID.require(instanceId);
    Objects.requireNonNull(adminToken, ADMIN_TOKEN.label());
    KEEP_VERSIONS.require(keepVersions);
    ORT_INTRA_OP_THREADS.require(ortIntraOpThreads);
    INFER_THREADS.require(inferThreads);
    LOAD_THREADS.require(loadThreads);
    HTTP_INSTANCES.require(httpInstances);
    MAX_BODY_BYTES.require(maxBodyBytes);
    MAX_IN_FLIGHT.require(maxInFlight);
    MAX_TENSOR_BYTES.require(maxTensorBytes);
    REQUEST_TIMEOUT_MS.require(requestTimeoutMs);
    Objects.requireNonNull(eventKey, EventKeySetting.OPTION.label());
    MAX_BUFFERED_BYTES.require(maxBufferedBytes);
    if (maxBufferedBytes < maxBodyBytes) {
      throw new ConfigException(
          MAX_BUFFERED_BYTES.label()
              + " must be at least "
              + MAX_BODY_BYTES.label()
              + " ("
              + maxBodyBytes
              + "), got "
              + maxBufferedBytes);
    }
    Objects.requireNonNull(gate, GATE.label());
    INLINE_MAX_MICROS.require(inlineMaxMicros);
    Objects.requireNonNull(rollout, ROLLOUT.label());
    SHADOW_QUEUE.require(shadowQueue);
    SHADOW_STACK.require(shadowStack);
  }

  public static ApiConfig from(Map<String, String> env, String... args) {
    Settings s = Settings.parse(OPTIONS, env, args);
    String instance = s.optionalString(INSTANCE_ID);
    return new ApiConfig(
        KafkaClientConfig.from(s, env),
        s.optionalString(STORE_DIR) == null ? Optional.empty() : Optional.of(s.path(STORE_DIR)),
        s.string(EVENTS_TOPIC),
        s.string(STATUS_TOPIC),
        s.string(HOST),
        s.port(PORT),
        instance == null ? hostName(env) : instance,
        Optional.ofNullable(s.optionalString(ADMIN_TOKEN))
            .map(t -> Secret.of(ADMIN_TOKEN, t, ADMIN_TOKEN_MIN_LENGTH)),
        intValue(s, KEEP_VERSIONS),
        intValue(s, ORT_INTRA_OP_THREADS),
        perCore(s, INFER_THREADS),
        intValue(s, LOAD_THREADS),
        perCore(s, HTTP_INSTANCES),
        intValue(s, MAX_BODY_BYTES),
        intValue(s, MAX_IN_FLIGHT),
        s.longValue(MAX_TENSOR_BYTES),
        s.longValue(REQUEST_TIMEOUT_MS),
        EventKeySetting.from(s),
        new Artifacts(
            Optional.ofNullable(s.optionalString(ARTIFACT_BASE_URL)).map(ApiConfig::url),
            ArtifactToken.from(s),
            s.optionalString(CACHE_DIR) == null
                ? Optional.empty()
                : Optional.of(s.writableDirectory(CACHE_DIR)),
            s.positiveLong(CACHE_MAX_BYTES),
            BucketConfig.from(s)),
        s.port(GRPC_PORT),
        s.longValue(MAX_BUFFERED_BYTES),
        gateMode(s.string(GATE)),
        s.longValue(INLINE_MAX_MICROS),
        rolloutMode(s.string(ROLLOUT)),
        intValue(s, SHADOW_QUEUE),
        intValue(s, SHADOW_STACK),
        intValue(s, LoadWarmUp.ROUNDS));
  }

  private static RolloutMode rolloutMode(String text) {
    RolloutMode mode = RolloutMode.parse(text.toLowerCase(java.util.Locale.ROOT));
    if (mode == null) {
      throw new ConfigException(
          ROLLOUT.label() + " must be instant, shadow or canary, got '" + text + "'");
    }
    return mode;
  }

  private static GateMode gateMode(String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "off" -> GateMode.OFF;
      case "required" -> GateMode.REQUIRED;
      default ->
          throw new ConfigException(GATE.label() + " must be off or required, got '" + text + "'");
    };
  }

  private static URI url(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException(ARTIFACT_BASE_URL.label() + " is not a URL: '" + text + "'");
    }
  }

  /**
   * The value, or the number of cores when unset: declared without a default so that the listing,
   * the README and {@code --help} read the same on every machine.
   */
  private static int perCore(Settings s, Option option) {
    return s.optionalString(option) == null
        ? Math.min(ApiOptions.CORES, 256) // the most either option takes
        : intValue(s, option);
  }

  private static int intValue(Settings s, Option option) {
    long v = s.longValue(option);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ConfigException(option.label() + " is out of range: " + v);
    }
    return (int) v;
  }

  private static String hostName(Map<String, String> env) {
    String name = env.get("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        name = "api";
      }
    }
    String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "-");
    return cleaned.length() > 128 ? cleaned.substring(0, 128) : cleaned;
  }
}
