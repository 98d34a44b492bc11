package dev.modelsync.agent;

import dev.modelsync.agent.bucket.Uploader;
import dev.modelsync.agent.bucket.UploadingOutbox;
import dev.modelsync.agent.http.AgentHttp;
import dev.modelsync.agent.http.ArtifactIndex;
import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.agent.publish.TopicVersions;
import dev.modelsync.agent.store.DiskWorker;
import dev.modelsync.agent.store.Ledger;
import dev.modelsync.agent.store.Snapshotter;
import dev.modelsync.agent.store.StoreHealth;
import dev.modelsync.agent.sync.StateSources;
import dev.modelsync.agent.sync.Synchronizer;
import dev.modelsync.agent.sync.WarmUp;
import dev.modelsync.agent.watch.FileWatcher;
import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.Signals;
import dev.modelsync.config.BucketClients;
import dev.modelsync.config.ConfigException;
import dev.modelsync.config.KafkaHealth;
import dev.modelsync.events.EventCodec;
import dev.modelsync.metrics.CommonMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The running sidecar: a watcher feeding the sync thread, which snapshots complete saves into the
 * store and hands events to the publisher, plus the HTTP endpoints.
 */
public final class Agent {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /** How long a start with no usable state waits for the events topic (it delays start). */
  private static final Duration TOPIC_CHECK = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final AgentConfig config;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private CommonMeters commonMeters;
  private final ScheduledThreadPoolExecutor executor;
  private Admin admin;
  private Publisher publisher;
  private UploadingOutbox uploads;
  private S3Client s3;
  private KafkaHealth health;
  private StoreHealth storeHealth;
  private DiskWorker disk;
  private Synchronizer sync;
  private FileWatcher watcher;
  private HttpServer server;
  private ArtifactIndex artifacts;
  private final LongSupplier quietClock;

  private Agent(Vertx vertx, AgentConfig config, LongSupplier quietClock) {
    this.vertx = vertx;
    this.config = config;
    this.quietClock = quietClock;
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "modelsync-agent-sync");
              t.setDaemon(true);
              return t;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setRemoveOnCancelPolicy(true);
  }

  /** Starts watching, publishing and serving HTTP; completes once all three run. */
  public static Future<Agent> start(Vertx vertx, AgentConfig config) {
    return start(vertx, config, System::currentTimeMillis);
  }

  /**
   * As {@link #start(Vertx, AgentConfig)}, measuring the quiet period with {@code quietClock}
   * (milliseconds): tests hold it still or move it on, so no save completes by a slow writer.
   */
  static Future<Agent> start(Vertx vertx, AgentConfig config, LongSupplier quietClock) {
    Agent agent = new Agent(vertx, config, quietClock);
    return vertx
        .executeBlocking(
            () -> {
              agent.startBlocking();
              return agent;
            })
        .compose(a -> a.listen())
        .recover(e -> agent.close().transform(ignored -> Future.failedFuture(e)));
  }

  private void startBlocking() throws Exception {
    commonMeters = CommonMeters.bindTo(registry, config.instanceId());
    Signals signals = new Signals();
    Snapshotter snapshotter = new Snapshotter(config.storeDir());
    snapshotter.removeLeftovers();
    Layout layout = new Layout(config.modelsDir());
    Ledger ledger = Ledger.load(config.storeDir(), StateSources.of(layout));
    storeHealth = new StoreHealth(config.storeDir());
    disk =
        new DiskWorker(
            ledger.file(),
            Duration.ofMillis(config.syncDelayMs()),
            e -> LOG.error("Cannot write the agent state {}: {}", ledger.file(), e.toString()));
    AgentMetrics metrics =
        new AgentMetrics(
            registry,
            () ->
                (publisher == null ? 0 : publisher.pending())
                    + (uploads == null ? 0 : uploads.waiting()),
            () -> publisher == null ? 0 : publisher.refused().size(),
            () -> storeHealth.status().up() ? 1 : 0);
    sync =
        new Synchronizer(
            layout,
            snapshotter,
            ledger,
            config.quietMs(),
            executor,
            metrics,
            storeHealth,
            disk,
            quietClock,
            signals);
    String clientId = "modelsync-agent-" + config.instanceId();
    Map<String, Object> adminProps = config.kafka().clientProperties();
    adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin");
    adminProps.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    admin = Admin.create(adminProps);
    EventCodec codec =
        new EventCodec(URI.create("/modelsync/agent/" + config.instanceId()), config.eventKey());
    if (ledger.rebuilt()) {
      reserveFromTopic(ledger, clientId, codec);
    }
    publisher =
        new Publisher(
            config.kafka(), clientId, config.eventsTopic(), codec, admin, sync.publishListener());
    sync.publishWith(config.bucket().isPresent() ? uploadFirst(metrics) : publisher);
    artifacts = new ArtifactIndex(config.storeDir(), sync::liveDigest);
    sync.onQueued(artifacts::remember);
    health = new KafkaHealth(admin, config.healthMs());
    health.start(executor, config.healthMs());
    // the probe writes and syncs a file: on the disk thread, never delaying a save
    executor.scheduleWithFixedDelay(
        () -> disk.run(storeHealth::probe), 0, config.healthMs(), TimeUnit.MILLISECONDS);
    // on a thread of its own: neither start-up nor the first save waits for it
    WarmUp.start(config.saveWarmUpRounds(), codec, config.quietMs());
    watcher =
        FileWatcher.start(config.watch(), config.modelsDir(), sync::changed, sync::rescan, signals);
    sync.rescan();
    executor.scheduleWithFixedDelay(
        sync::rescan, config.rescanMs(), config.rescanMs(), TimeUnit.MILLISECONDS);
  }

  /** The bucket upload in front of the publisher (issue 19). */
  private UploadingOutbox uploadFirst(AgentMetrics metrics) {
    s3 = BucketClients.create(config.bucket().orElseThrow());
    uploads =
        new UploadingOutbox(
            new Uploader(s3, config.bucket().orElseThrow()),
            config.storeDir(),
            publisher,
            new BucketLog(metrics),
            UploadingOutbox.Backoff.DEFAULT);
    return uploads;
  }

  /**
   * A rebuilt state knows only the store; the topic may name higher versions the store lost. A
   * single-file model's next version goes above those too. Kafka away: the store must do.
   */
  private void reserveFromTopic(Ledger ledger, String clientId, EventCodec codec) {
    try {
      TopicVersions.Seen seen =
          TopicVersions.read(config.kafka(), clientId, config.eventsTopic(), codec, TOPIC_CHECK);
      // before reserving: a reservation is a deleted entry, never forgotten
      var forgotten =
          ledger.forgetUnannounced(
              e -> seen.saved().contains(TopicVersions.key(e.model(), e.version(), e.digest())));
      seen.highest().forEach(ledger::reserve);
      LOG.info(
          "Rebuilt agent state checked against {} models on {}{}",
          seen.highest().size(),
          config.eventsTopic(),
          forgotten.isEmpty()
              ? ""
              : "; "
                  + forgotten.size()
                  + " stored versions it does not announce are published again");
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot read {} to check the rebuilt agent state ({}); single-file models continue"
              + " above the versions in the store",
          config.eventsTopic(),
          e.toString());
    }
  }

  private Future<Agent> listen() {
    return vertx
        .createHttpServer()
        .requestHandler(
            AgentHttp.router(
                vertx,
                health::status,
                storeHealth::status,
                this::publishing,
                sync::view,
                registry,
                artifacts,
                config.artifactToken(),
                watcher.mode()))
        .listen(config.port(), config.host())
        .recover(
            e ->
                Future.failedFuture(
                    new ConfigException(
                        "cannot listen on "
                            + config.host()
                            + " port "
                            + config.port()
                            + " ("
                            + AgentConfig.HOST.label()
                            + ", "
                            + AgentConfig.PORT.label()
                            + "): "
                            + e.getMessage())))
        .map(
            s -> {
              server = s;
              LOG.info(
                  "Agent {} watching {} with {} ({}) into {}, publishing to {} on {} ({}),"
                      + " events {}, HTTP on {} port {} (artifacts {}), uploading to {}",
                  config.instanceId(),
                  config.modelsDir(),
                  watcher.mode(),
                  watcher.reason(),
                  config.storeDir(),
                  config.eventsTopic(),
                  config.kafka().bootstrapServers(),
                  config
                      .kafka()
                      .passthrough()
                      .getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"),
                  config.eventKey().isPresent() ? "signed" : "unsigned",
                  config.host(),
                  s.actualPort(),
                  config.artifactToken().isPresent() ? "need a token" : "open",
                  config
                      .bucket()
                      .map(b -> "s3://" + b.bucket() + "/" + b.prefix() + "<model>/<version>/")
                      .orElse("no bucket"));
              return this;
            });
  }

  /** What /health says of publishing: empty while Kafka takes every event it is offered. */
  private Optional<String> publishing() {
    List<Publisher.Refusal> refused = publisher == null ? List.of() : publisher.refused();
    Optional<String> bucket = uploads == null ? Optional.empty() : uploads.failing();
    if (refused.isEmpty()) {
      return bucket;
    }
    StringJoiner why = new StringJoiner("; ", "Kafka refused events, retrying: ", "");
    for (Publisher.Refusal r : refused) {
      why.add(
          r.type()
              + " model "
              + r.model()
              + " version "
              + r.version()
              + " ("
              + r.attempts()
              + (r.attempts() == 1 ? " attempt" : " attempts")
              + "): "
              + r.reason());
    }
    return Optional.of(why + bucket.map(b -> "; " + b).orElse(""));
  }

  /** The port HTTP is bound to. */
  public int httpPort() {
    return server == null ? -1 : server.actualPort();
  }

  /**
   * Stops watching, gives Kafka a few seconds for events already handed over, closes the clients
   * and HTTP. Leaves no thread behind.
   */
  public Future<Void> close() {
    Future<Void> http = server == null ? Future.succeededFuture() : server.close();
    return http.transform(
        ignored ->
            vertx.executeBlocking(
                () -> {
                  closeBlocking();
                  return null;
                }));
  }

  private void closeBlocking() throws Exception {
    WarmUp.stop(Duration.ofSeconds(5));
    if (watcher != null) {
      watcher.close();
    }
    if (uploads != null) {
      uploads.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    executor.shutdown();
    if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
    if (disk != null) {
      disk.close();
    }
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
    if (commonMeters != null) {
      commonMeters.close();
    }
    registry.close();
  }
}
