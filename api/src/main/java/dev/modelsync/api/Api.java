package dev.modelsync.api;

import dev.modelsync.api.artifacts.ArtifactSource;
import dev.modelsync.api.artifacts.ArtifactSources;
import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.deploy.Deployer;
import dev.modelsync.api.deploy.RepositoryAdmin;
import dev.modelsync.api.engine.EngineRegistry;
import dev.modelsync.api.engine.ModelLoader;
import dev.modelsync.api.grpc.GrpcVerticle;
import dev.modelsync.api.http.HttpVerticle;
import dev.modelsync.api.http.Services;
import dev.modelsync.api.inference.InferenceExecutor;
import dev.modelsync.api.kafka.CatalogFeed;
import dev.modelsync.api.kafka.EventConsumer;
import dev.modelsync.api.kafka.StatusPublisher;
import dev.modelsync.api.kafka.TopicSetup;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.config.KafkaHealth;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference server: wires the catalog, the engines, the Kafka consumer and producer and the
 * HTTP verticles together, and takes them apart again in {@link #close()}.
 */
public final class Api {
  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  private static final long KAFKA_CHECK_MS = 2_000;

  private final Vertx vertx;
  private final ApiConfig config;
  private final EngineRegistry engines;
  private final Catalog catalog = new Catalog();
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<String> deployments = new ArrayList<>();
  private final ExecutorService closer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "modelsync-model-closer");
            t.setDaemon(true);
            return t;
          });
  private ApiMetrics metrics;
  private WorkerExecutor loadPool;
  private InferenceExecutor inference;
  private StatusPublisher status;
  private Deployer deployer;
  private ArtifactSource artifacts;
  private volatile EventConsumer consumer;
  private Admin admin;
  private KafkaHealth kafkaHealth;
  private long kafkaTimer = -1;
  private int httpPort;
  private int grpcPort;

  private Api(Vertx vertx, ApiConfig config, List<ModelLoader> extraLoaders) {
    this.vertx = vertx;
    this.config = config;
    // ONNX Runtime, PyTorch, XGBoost (the last two when on the class path), then the extras.
    List<ModelLoader> loaders =
        new ArrayList<>(EngineRegistry.standardLoaders(config.ortIntraOpThreads()));
    loaders.addAll(extraLoaders);
    this.engines = new EngineRegistry(loaders);
  }

  /** Starts the server; resolves once HTTP listens. Readiness follows once the catalog loads. */
  public static Future<Api> start(Vertx vertx, ApiConfig config) {
    return start(vertx, config, List.of());
  }

  /** Starts the server with engines besides ONNX Runtime (tests plug special loaders in here). */
  public static Future<Api> start(Vertx vertx, ApiConfig config, List<ModelLoader> extraLoaders) {
    Api api = new Api(vertx, config, extraLoaders);
    return api.startAll().map(api).recover(e -> api.close().transform(x -> Future.failedFuture(e)));
  }

  private Future<Void> startAll() {
    metrics =
        new ApiMetrics(
            config.instanceId(),
            catalog::loadedCount,
            new ApiMetrics.OpenResources(
                engines::openCount, engines::ndManagersOpen, engines::ortSessionsOpen));
    watchKafka();
    loadPool = vertx.createSharedWorkerExecutor("modelsync-load", config.loadThreads());
    inference = new InferenceExecutor(config.inferThreads());
    ControlVerticle control = new ControlVerticle();
    return vertx
        .deployVerticle(control)
        .compose(
            id -> {
              deployments.add(id);
              return vertx.executeBlocking(
                  () -> {
                    artifacts =
                        ArtifactSources.create(
                            config, (model, version) -> catalog.version(model, version) != null);
                    return new StatusPublisher(
                        config.kafka(),
                        config.statusTopic(),
                        config.instanceId(),
                        config.eventKey());
                  });
            })
        .compose(
            publisher -> {
              status = publisher;
              deployer =
                  new Deployer(
                      control.context(),
                      loadPool,
                      closer,
                      catalog,
                      artifacts,
                      engines,
                      status,
                      metrics,
                      decision ->
                          Future.fromCompletionStage(
                              status.record(config.eventsTopic(), decision), control.context()),
                      new Deployer.Config(
                          config.keepVersions(),
                          config.instanceId(),
                          config.maxTensorBytes(),
                          config.gate(),
                          config.rollout(),
                          config.shadowQueue(),
                          config.shadowStack()));
              Services services =
                  new Services(
                      catalog,
                      new RepositoryAdmin(
                          deployer,
                          pin ->
                              Future.fromCompletionStage(
                                  status.record(config.eventsTopic(), pin), control.context())),
                      metrics,
                      ready::get,
                      inference,
                      config.adminToken(),
                      config.maxBodyBytes(),
                      config.maxInFlight(),
                      kafkaHealth::status,
                      config.maxTensorBytes(),
                      config.requestTimeoutMs(),
                      config.maxBufferedBytes(),
                      this::liveness,
                      config.inlineMaxMicros() * 1_000);
              return deployHttp(services).compose(x -> deployGrpc(services));
            })
        .andThen(x -> startConsumer(control.context()))
        .onSuccess(
            x ->
                LOG.info(
                    "modelsync api {} listening on {}:{} (gRPC {}), reading {} from {}, versions"
                        + " from {}",
                    config.instanceId(),
                    config.host(),
                    httpPort,
                    grpcPort,
                    config.eventsTopic(),
                    config.kafka().bootstrapServers(),
                    artifacts));
  }

  /**
   * Checks Kafka every few seconds, so /health says when the broker is lost and when it is back.
   */
  private void watchKafka() {
    var props = config.kafka().clientProperties();
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "modelsync-api-health-" + config.instanceId());
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    admin = Admin.create(props);
    kafkaHealth = new KafkaHealth(admin, KAFKA_CHECK_MS);
    kafkaHealth.check();
    kafkaTimer = vertx.setPeriodic(KAFKA_CHECK_MS, id -> kafkaHealth.check());
  }

  private Future<Void> deployHttp(Services services) {
    return deployServers(config.port(), port -> new HttpVerticle(services, config.host(), port))
        .map(
            port -> {
              httpPort = port;
              return null;
            });
  }

  private Future<Void> deployGrpc(Services services) {
    return deployServers(config.grpcPort(), port -> new GrpcVerticle(services, config.host(), port))
        .map(
            port -> {
              grpcPort = port;
              return null;
            });
  }

  /**
   * Deploys {@code MODELSYNC_HTTP_INSTANCES} server verticles on one port; the port listened on.
   */
  private Future<Integer> deployServers(int configured, IntFunction<Deployable> verticle) {
    // Vert.x shares one listening socket between instances of a fixed port only, so port 0 is
    // resolved to a free port first.
    int port;
    try {
      port = configured != 0 ? configured : freePort();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return vertx
        .deployVerticle(
            () -> verticle.apply(port),
            new DeploymentOptions().setInstances(config.httpInstances()))
        .map(
            id -> {
              deployments.add(id);
              return port;
            });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void startConsumer(Context context) {
    consumer =
        new EventConsumer(
            config.kafka(),
            config.eventsTopic(),
            config.eventKey(),
            context,
            new CatalogFeed(deployer, catalog, ready),
            metrics::consumerLag);
    EventConsumer started = consumer;
    loadPool
        .executeBlocking(
            () -> {
              TopicSetup.ensure(config.kafka(), config.eventsTopic(), config.statusTopic());
              return null;
            },
            false)
        .onComplete(
            x -> {
              if (!closed.get()) {
                started.start();
              }
            });
  }

  /** Why the process cannot recover (its events consumer keeps failing), or null. */
  private String liveness() {
    EventConsumer c = consumer;
    return c == null ? null : c.failure();
  }

  /** The HTTP port, resolved when {@code MODELSYNC_PORT} is 0. */
  public int httpPort() {
    return httpPort;
  }

  /** The gRPC port, resolved when {@code MODELSYNC_GRPC_PORT} is 0. */
  public int grpcPort() {
    return grpcPort;
  }

  /** True once the catalog is rebuilt from the topic and the latest versions are loaded. */
  public boolean isReady() {
    return ready.get();
  }

  /** Stops consuming, stops HTTP, closes every model, the producer and the worker pools. */
  public Future<Void> close() {
    ready.set(false);
    closed.set(true);
    vertx.cancelTimer(kafkaTimer);
    return blocking(
            () -> {
              if (consumer != null) {
                consumer.close();
              }
            })
        .eventually(this::undeployAll)
        .eventually(
            () ->
                blocking(
                    () -> {
                      if (inference != null) {
                        inference.close();
                      }
                      if (deployer != null) {
                        deployer.close();
                      }
                    }))
        .eventually(() -> close(loadPool))
        .eventually(
            () ->
                blocking(
                    () -> {
                      catalog.clear();
                      closer.shutdown();
                      if (!closer.awaitTermination(30, TimeUnit.SECONDS)) {
                        LOG.warn("Models still closing after 30 s");
                      }
                      if (status != null) {
                        status.close();
                      }
                      if (artifacts != null) {
                        artifacts.close();
                      }
                      if (admin != null) {
                        admin.close(java.time.Duration.ofSeconds(2));
                      }
                      if (metrics != null) {
                        metrics.close();
                      }
                    }))
        .mapEmpty();
  }

  private interface Step {
    void run() throws Exception;
  }

  private Future<Void> blocking(Step step) {
    return vertx.executeBlocking(
        () -> {
          step.run();
          return null;
        });
  }

  private Future<Void> undeployAll() {
    List<Future<Void>> all = new ArrayList<>();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      all.add(vertx.undeploy(deployments.get(i)));
    }
    deployments.clear();
    return Future.join(all).mapEmpty();
  }

  private static Future<Void> close(WorkerExecutor pool) {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /** Gives the deployer and the event hand-off a context of their own. */
  private static final class ControlVerticle extends VerticleBase {
    Context context() {
      return context;
    }
  }
}
