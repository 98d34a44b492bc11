package dev.modelsync.api;

import dev.modelsync.api.catalog.GateMode;
import dev.modelsync.api.catalog.RolloutMode;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.config.Check;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.EventKeySetting;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.Option;
import dev.modelsync.config.Secret;
import dev.modelsync.config.Settings;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.Topics;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
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
    RolloutMode rollout) {

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
    public static final Artifacts NONE =
        new Artifacts(Optional.empty(), Optional.empty(), Optional.empty(), 1L << 31);

    /** Without a bucket. */
    public Artifacts(
        Optional<URI> baseUrl,
        Optional<ArtifactToken> token,
        Optional<Path> cacheDir,
        long cacheMaxBytes) {
      this(baseUrl, token, cacheDir, cacheMaxBytes, Optional.empty());
    }

    public Artifacts {
      Objects.requireNonNull(baseUrl, ARTIFACT_BASE_URL.label());
      Objects.requireNonNull(token, ArtifactToken.OPTION.label());
      Objects.requireNonNull(cacheDir, CACHE_DIR.label());
      Objects.requireNonNull(bucket, BucketConfig.BUCKET.label());
      baseUrl.ifPresent(url -> ARTIFACT_BASE_URL.require(url.toString()));
      CACHE_MAX_BYTES.require(cacheMaxBytes);
    }
  }

  static final int CORES = Runtime.getRuntime().availableProcessors();

  public static final Option STORE_DIR =
      Option.optional(
              "MODELSYNC_STORE_DIR",
              "store",
              null,
              "the store directory the agent writes (a shared volume); required unless"
                  + " MODELSYNC_ARTIFACT_BASE_URL or MODELSYNC_S3_BUCKET is set")
          .checked(Check.PATH);
  public static final Option ARTIFACT_BASE_URL =
      Option.optional(
              "MODELSYNC_ARTIFACT_BASE_URL",
              null,
              null,
              "the agent's HTTP address (http://agent:8081): versions the store directory lacks are"
                  + " fetched from its /artifacts into the cache")
          .checked(Check.HTTP_URL);
  public static final Option CACHE_DIR =
      Option.optional(
              "MODELSYNC_CACHE_DIR",
              null,
              null,
              "where fetched versions are kept; default a new temporary directory, removed at exit")
          .checked(Check.PATH);
  public static final Option CACHE_MAX_BYTES =
      Option.optional(
              "MODELSYNC_CACHE_MAX_BYTES",
              null,
              String.valueOf(2L << 30),
              "cache size past which versions this replica no longer serves are evicted")
          .checked(Check.POSITIVE);
  public static final Option EVENTS_TOPIC =
      Option.optional(
              "MODELSYNC_EVENTS_TOPIC", null, Topics.MODEL_EVENTS, "topic of model.saved/deleted")
          .checked(Check.TOPIC);
  public static final Option STATUS_TOPIC =
      Option.optional(
              "MODELSYNC_STATUS_TOPIC", null, Topics.MODEL_STATUS, "topic status events go to")
          .checked(Check.TOPIC);
  public static final Option HOST =
      Option.optional(
              "MODELSYNC_HOST",
              "host",
              "0.0.0.0",
              "address the HTTP and gRPC servers listen on (an IP address or a host name; 127.0.0.1 = this"
                  + " host only)")
          .checked(Check.LISTEN_ADDRESS);
  public static final Option PORT =
      Option.optional("MODELSYNC_PORT", "port", "8080", "HTTP port; 0 picks a free one")
          .checked(Check.PORT);
  public static final Option GRPC_PORT =
      Option.optional(
              "MODELSYNC_GRPC_PORT",
              "grpc-port",
              "8001",
              "gRPC port (Open Inference Protocol, inference.GRPCInferenceService); 0 picks a free one")
          .checked(Check.PORT);
  public static final Option INSTANCE_ID =
      Option.optional(
              "MODELSYNC_INSTANCE_ID",
              null,
              null,
              "replica id in status events and metrics (instance label); default host name")
          .checked(Check.INSTANCE);
  public static final Option ADMIN_TOKEN =
      Option.optional(
              "MODELSYNC_ADMIN_TOKEN",
              null,
              null,
              "bearer token of admin calls (at least 16 characters); unset = refused")
          .hidden();

  /** Shorter admin tokens stop the start. */
  static final int ADMIN_TOKEN_MIN_LENGTH = 16;

  public static final Option KEEP_VERSIONS =
      Option.optional(
              "MODELSYNC_KEEP_VERSIONS", null, "2", "loaded versions kept reachable per model")
          .checked(Check.range(1, 100));
  public static final Option ORT_INTRA_OP_THREADS =
      Option.optional(
              "MODELSYNC_ORT_INTRA_OP_THREADS",
              null,
              "1",
              "ONNX Runtime intra-op threads per session (more threads = slower reloads)")
          .checked(Check.range(0, 256));
  public static final Option INFER_THREADS =
      Option.optional(
              "MODELSYNC_INFER_THREADS", null, String.valueOf(CORES), "inference worker threads")
          .checked(Check.range(1, 256));
  public static final Option LOAD_THREADS =
      Option.optional("MODELSYNC_LOAD_THREADS", null, "2", "model loading worker threads")
          .checked(Check.range(1, 64));
  public static final Option HTTP_INSTANCES =
      Option.optional(
              "MODELSYNC_HTTP_INSTANCES", null, String.valueOf(CORES), "HTTP server verticles")
          .checked(Check.range(1, 256));
  public static final Option MAX_BODY_BYTES =
      Option.optional(
              "MODELSYNC_MAX_BODY_BYTES", null, String.valueOf(16 << 20), "largest request body")
          .checked(Check.range(1024, Integer.MAX_VALUE));
  public static final Option MAX_IN_FLIGHT =
      Option.optional(
              "MODELSYNC_MAX_IN_FLIGHT",
              null,
              "1024",
              "inference requests admitted at once; more are refused with 503 overloaded")
          .checked(Check.range(1, 1_000_000));
  public static final Option MAX_BUFFERED_BYTES =
      Option.optional(
              "MODELSYNC_MAX_BUFFERED_BYTES",
              null,
              String.valueOf(256 << 20),
              "request body bytes held at once (counted as they arrive; gRPC messages too, before"
                  + " they are decoded); a request announcing more than is left is refused with 503"
                  + " overloaded (gRPC: RESOURCE_EXHAUSTED)")
          .checked(Check.range(1024, 1L << 40));
  public static final Option MAX_TENSOR_BYTES =
      Option.optional(
              "MODELSYNC_MAX_TENSOR_BYTES",
              null,
              String.valueOf(64 << 20),
              "largest request tensor (elements × element bytes), refused before allocation")
          .checked(Check.range(1024, 1L << 40));
  public static final Option REQUEST_TIMEOUT_MS =
      Option.optional(
              "MODELSYNC_REQUEST_TIMEOUT_MS",
              null,
              "30000",
              "time to answer a request: 408 if the body is still arriving, else 503")
          .checked(Check.range(100, 3_600_000));

  public static final Option INLINE_MAX_MICROS =
      Option.optional(
              "MODELSYNC_INLINE_MAX_MICROS",
              null,
              "100",
              "a small request (body up to 16 KiB) to a version whose model runs typically take at most"
                  + " this long runs on the event loop that read it instead of hopping to an inference"
                  + " thread; 0 = always hop")
          .checked(Check.range(0, 100_000));

  public static final Option GATE =
      Option.optional(
              "MODELSYNC_GATE",
              null,
              "off",
              "off or required: required refuses (model.rejected) a version whose model.json has no"
                  + " gate")
          .checked(Check.oneOf("off", "required"));

  public static final Option ROLLOUT =
      Option.optional(
              "MODELSYNC_ROLLOUT",
              null,
              "instant",
              "instant, shadow or canary: how a new version replaces the served one when its"
                  + " model.json names no rollout policy")
          .checked(Check.oneOf("instant", "shadow", "canary"));

  public static final List<Option> OPTIONS =
      List.of(
          KafkaClientConfig.BOOTSTRAP,
          STORE_DIR,
          EVENTS_TOPIC,
          STATUS_TOPIC,
          HOST,
          PORT,
          GRPC_PORT,
          INSTANCE_ID,
          ADMIN_TOKEN,
          KEEP_VERSIONS,
          ORT_INTRA_OP_THREADS,
          INFER_THREADS,
          INLINE_MAX_MICROS,
          LOAD_THREADS,
          HTTP_INSTANCES,
          MAX_BODY_BYTES,
          MAX_IN_FLIGHT,
          MAX_BUFFERED_BYTES,
          MAX_TENSOR_BYTES,
          REQUEST_TIMEOUT_MS,
          EventKeySetting.OPTION,
          ARTIFACT_BASE_URL,
          ArtifactToken.OPTION,
          CACHE_DIR,
          CACHE_MAX_BYTES,
          GATE,
          ROLLOUT,
          BucketConfig.BUCKET,
          BucketConfig.ENDPOINT,
          BucketConfig.REGION,
          BucketConfig.PATH_STYLE,
          BucketConfig.PREFIX);

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
        intValue(s, INFER_THREADS),
        intValue(s, LOAD_THREADS),
        intValue(s, HTTP_INSTANCES),
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
        rolloutMode(s.string(ROLLOUT)));
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
