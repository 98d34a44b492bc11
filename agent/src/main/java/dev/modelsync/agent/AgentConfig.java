package dev.modelsync.agent;

import dev.modelsync.agent.sync.WarmUp;
import dev.modelsync.agent.watch.WatchMode;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.config.Check;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.EventKeySetting;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.KafkaWarmUp;
import dev.modelsync.config.Option;
import dev.modelsync.config.Settings;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the agent is configured with, read once at start from the environment and flags.
 *
 * @param modelsDir the directory the notebook saves models into; only read
 * @param storeDir where the agent snapshots complete versions; only the agent writes it
 * @param kafka bootstrap servers and pass-through client properties
 * @param eventsTopic the topic {@code model.saved} and {@code model.deleted} go to
 * @param port HTTP port for /health, /models and /metrics; 0 picks a free one
 * @param host the address the HTTP server listens on: an IP address or a host name
 * @param quietMs how long a version must stay unchanged to count as complete without a rename or
 *     {@code model.json}
 * @param rescanMs interval of the full rescan that backs up native file events
 * @param healthMs interval of the Kafka reachability check behind /health
 * @param syncDelayMs how long a snapshot's sync to disk waits, so that it does not slow the
 *     broker's append of its event or the api's load
 * @param instanceId this agent's name in the CloudEvents source
 * @param eventKey when present, every event is signed with it; {@code toString} never shows it
 * @param artifactToken when present, {@code GET /artifacts} requires it as a bearer token
 * @param watch inotify, the portable poll watcher, or whichever works here
 * @param bucket when present, each version is uploaded there before its {@code model.saved} goes
 *     out
 * @param saveWarmUpRounds rounds of the save path {@link WarmUp} runs at start (0 = none)
 */
public record AgentConfig(
    Path modelsDir,
    Path storeDir,
    KafkaClientConfig kafka,
    String eventsTopic,
    int port,
    String host,
    long quietMs,
    long rescanMs,
    long healthMs,
    long syncDelayMs,
    String instanceId,
    Optional<EventKey> eventKey,
    Optional<ArtifactToken> artifactToken,
    WatchMode watch,
    Optional<BucketConfig> bucket,
    int saveWarmUpRounds) {

  public static final Option MODELS_DIR =
      Option.required(
              "MODELSYNC_MODELS_DIR",
              "models",
              "directory the notebook saves models into (read only)")
          .checked(Check.PATH);
  public static final Option STORE_DIR =
      Option.required(
              "MODELSYNC_STORE_DIR",
              "store",
              "directory the agent snapshots complete versions into")
          .checked(Check.PATH);
  public static final Option EVENTS_TOPIC =
      Option.optional(
              "MODELSYNC_EVENTS_TOPIC", "topic", Topics.MODEL_EVENTS, "topic for model events")
          .checked(Check.TOPIC);
  public static final Option PORT =
      Option.optional(
              "MODELSYNC_AGENT_PORT",
              "port",
              "8081",
              "HTTP port of /health, /models, /metrics and /artifacts (0 = any free port)")
          .checked(Check.PORT);
  public static final Option HOST =
      Option.optional(
              "MODELSYNC_AGENT_HOST",
              "host",
              "0.0.0.0",
              "address the HTTP server listens on (0.0.0.0 = every IPv4 address, :: = every address,"
                  + " 127.0.0.1 = this machine only)")
          .checked(Check.LISTEN_ADDRESS);
  public static final Option QUIET_MS =
      Option.optional(
              "MODELSYNC_QUIET_MS",
              "quiet-ms",
              "500",
              "a version unchanged this long (ms) is complete, when neither renamed in nor"
                  + " carrying model.json")
          .checked(Check.POSITIVE);
  public static final Option RESCAN_MS =
      Option.optional(
              "MODELSYNC_RESCAN_MS",
              "rescan-ms",
              "2000",
              "interval (ms) of the full rescan backing up native file events")
          .checked(Check.POSITIVE);
  public static final Option HEALTH_MS =
      Option.optional(
              "MODELSYNC_HEALTH_MS", "health-ms", "2000", "interval (ms) of the Kafka health check")
          .checked(Check.POSITIVE);
  public static final Option SYNC_DELAY_MS =
      Option.optional(
              "MODELSYNC_SYNC_DELAY_MS",
              "sync-delay-ms",
              "100",
              "a snapshot is synced to disk this long (ms) after its event is sent, so that the"
                  + " sync does not slow the event's way to the api (0 = at once)")
          .checked(Check.range(0, 60_000));
  public static final Option INSTANCE_ID =
      Option.optional(
              "MODELSYNC_INSTANCE_ID",
              "instance",
              null,
              "agent name in the event source and metrics (instance label); default host name")
          .checked(Check.INSTANCE);

  public static final Option WATCH =
      Option.optional(
              "MODELSYNC_WATCH",
              "watch",
              "auto",
              "inotify: a save is complete once moved in or closed by its writer; poll (macOS, network"
                  + " file systems): after the quiet period; auto: inotify where it works")
          .checked(Check.oneOf("auto", "inotify", "poll"));

  public static final List<Option> OPTIONS =
      List.of(
          MODELS_DIR,
          STORE_DIR,
          KafkaClientConfig.BOOTSTRAP,
          KafkaWarmUp.ROUNDS,
          WarmUp.ROUNDS,
          EVENTS_TOPIC,
          PORT,
          HOST,
          QUIET_MS,
          RESCAN_MS,
          HEALTH_MS,
          SYNC_DELAY_MS,
          INSTANCE_ID,
          EventKeySetting.OPTION,
          ArtifactToken.OPTION,
          WATCH,
          BucketConfig.BUCKET,
          BucketConfig.ENDPOINT,
          BucketConfig.REGION,
          BucketConfig.PATH_STYLE,
          BucketConfig.PREFIX);

  public AgentConfig {
    Objects.requireNonNull(modelsDir, MODELS_DIR.label());
    Objects.requireNonNull(storeDir, STORE_DIR.label());
    Objects.requireNonNull(kafka, KafkaClientConfig.BOOTSTRAP.label());
    Objects.requireNonNull(eventKey, EventKeySetting.OPTION.label());
    Objects.requireNonNull(artifactToken, ArtifactToken.OPTION.label());
    Objects.requireNonNull(watch, WATCH.label());
    Objects.requireNonNull(bucket, BucketConfig.BUCKET.label());
    EVENTS_TOPIC.require(eventsTopic);
    PORT.require(port);
    HOST.require(host);
    QUIET_MS.require(quietMs);
    RESCAN_MS.require(rescanMs);
    HEALTH_MS.require(healthMs);
    SYNC_DELAY_MS.require(syncDelayMs);
    INSTANCE_ID.require(instanceId);
    WarmUp.ROUNDS.require(saveWarmUpRounds);
    if (modelsDir.equals(storeDir) || storeDir.startsWith(modelsDir)) {
      throw new ConfigException(
          STORE_DIR.label() + " must not be inside " + MODELS_DIR.label() + ": " + storeDir);
    }
  }

  /** Reads the environment, overridden by flags; a bad value is a {@link ConfigException}. */
  public static AgentConfig from(Map<String, String> env, String... args) {
    Settings settings = Settings.parse(OPTIONS, env, args);
    String instance = settings.optionalString(INSTANCE_ID);
    return new AgentConfig(
        settings.existingDirectory(MODELS_DIR),
        settings.writableDirectory(STORE_DIR),
        KafkaClientConfig.from(settings, env),
        settings.string(EVENTS_TOPIC),
        settings.port(PORT),
        settings.string(HOST),
        settings.positiveLong(QUIET_MS),
        settings.positiveLong(RESCAN_MS),
        settings.positiveLong(HEALTH_MS),
        settings.longValue(SYNC_DELAY_MS),
        instance == null ? hostName() : instance,
        EventKeySetting.from(settings),
        ArtifactToken.from(settings),
        watchMode(settings.string(WATCH)),
        BucketConfig.from(settings),
        (int) settings.longValue(WarmUp.ROUNDS));
  }

  private static WatchMode watchMode(String text) {
    return WatchMode.parse(text)
        .orElseThrow(
            () ->
                new ConfigException(WATCH.label() + " must be auto, inotify or poll, got " + text));
  }

  private static String hostName() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        name = "agent";
      }
    }
    String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "-");
    return cleaned.length() > 128 ? cleaned.substring(0, 128) : cleaned;
  }
}
