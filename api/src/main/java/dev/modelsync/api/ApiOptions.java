package dev.modelsync.api;

import dev.modelsync.api.deploy.LoadWarmUp;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.config.Check;
import dev.modelsync.config.EventKeySetting;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.KafkaWarmUp;
import dev.modelsync.config.Option;
import dev.modelsync.events.Topics;
import java.util.List;

/**
 * The api's options, declared once: name, flag, default, check and doc. {@link ApiConfig} parses
 * and validates them; {@code --help}, the README tables and {@code deploy/options.json} are made
 * from {@link #OPTIONS}.
 */
public final class ApiOptions {
  private ApiOptions() {}

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
              "MODELSYNC_INFER_THREADS",
              null,
              null,
              "inference worker threads; unset = one per core")
          .checked(Check.range(1, 256));
  public static final Option LOAD_THREADS =
      Option.optional("MODELSYNC_LOAD_THREADS", null, "2", "model loading worker threads")
          .checked(Check.range(1, 64));
  public static final Option HTTP_INSTANCES =
      Option.optional(
              "MODELSYNC_HTTP_INSTANCES", null, null, "HTTP server verticles; unset = one per core")
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
                  + " thread; such requests read in one pass of the event loop run as one batched model"
                  + " run (up to 64 rows) when the model batches; 0 = always hop")
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

  public static final Option SHADOW_QUEUE =
      Option.optional(
              "MODELSYNC_SHADOW_QUEUE",
              null,
              "64",
              "shadow copies waiting for the shadow thread; a request's copy that finds it full is"
                  + " dropped and counted, never waited for")
          .checked(Check.range(1, 65_536));
  public static final Option SHADOW_STACK =
      Option.optional(
              "MODELSYNC_SHADOW_STACK",
              null,
              "32",
              "most shadow copies the shadow thread takes at once and runs stacked in one"
                  + " candidate call (within MODELSYNC_MAX_TENSOR_BYTES); 1 = each copy alone")
          .checked(Check.range(1, 4_096));

  public static final List<Option> OPTIONS =
      List.of(
          KafkaClientConfig.BOOTSTRAP,
          KafkaWarmUp.ROUNDS,
          LoadWarmUp.ROUNDS,
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
          SHADOW_QUEUE,
          SHADOW_STACK,
          BucketConfig.BUCKET,
          BucketConfig.ENDPOINT,
          BucketConfig.REGION,
          BucketConfig.PATH_STYLE,
          BucketConfig.PREFIX);
}
