package dev.modelsync.standalone;

import dev.modelsync.agent.Agent;
import dev.modelsync.agent.AgentConfig;
import dev.modelsync.agent.publish.Publisher;
import dev.modelsync.api.Api;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.api.deploy.LoadWarmUp;
import dev.modelsync.api.engine.ModelLoader;
import dev.modelsync.config.BackgroundWarmUp;
import dev.modelsync.config.KafkaWarmUp;
import dev.modelsync.kafka.EmbeddedKafka;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Kafka (embedded unless one is given), the agent and the api in this process, and stops
 * them.
 */
final class Launcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration WARM_UP_STOP = Duration.ofSeconds(5);

  private final StandaloneConfig config;
  private final Map<String, String> env;
  private final List<ModelLoader> extraLoaders;
  private EmbeddedKafka kafka;
  private Vertx vertx;
  private Agent agent;
  private Api api;
  private CompletableFuture<Optional<BackgroundWarmUp.Outcome>> kafkaWarmUp =
      CompletableFuture.completedFuture(Optional.empty());
  private CompletableFuture<Optional<BackgroundWarmUp.Outcome>> loadWarmUp =
      CompletableFuture.completedFuture(Optional.empty());

  Launcher(StandaloneConfig config, Map<String, String> env) {
    this(config, env, List.of());
  }

  /** With engines besides ONNX Runtime (tests). */
  Launcher(StandaloneConfig config, Map<String, String> env, List<ModelLoader> extraLoaders) {
    this.config = config;
    this.env = env;
    this.extraLoaders = extraLoaders;
  }

  /** Starts everything and returns once the api answers ready. */
  Launcher start() throws Exception {
    String bootstrap = config.kafka();
    if (bootstrap == null) {
      kafka = EmbeddedKafka.at(config.kafkaDir(), config.kafkaPort()).start();
      bootstrap = kafka.bootstrapServers();
    }
    if (config.demo() && DemoModel.writeIfEmpty(config.modelsDir())) {
      LOG.info(
          "Wrote the demo model into {}", config.modelsDir().resolve(DemoModel.NAME).resolve("1"));
    }
    Map<String, String> shared = new HashMap<>(env);
    shared.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    shared.put("MODELSYNC_STORE_DIR", config.storeDir().toString());
    Map<String, String> agentEnv = new HashMap<>(shared);
    agentEnv.put("MODELSYNC_MODELS_DIR", config.modelsDir().toString());
    agentEnv.put("MODELSYNC_AGENT_PORT", Integer.toString(config.agentPort()));
    Map<String, String> apiEnv = new HashMap<>(shared);
    apiEnv.put("MODELSYNC_PORT", Integer.toString(config.port()));
    apiEnv.put("MODELSYNC_GRPC_PORT", Integer.toString(config.grpcPort()));

    AgentConfig agentConfig = AgentConfig.from(agentEnv);
    ApiConfig apiConfig = ApiConfig.from(apiEnv);
    vertx = Vertx.vertx();
    agent = await(Agent.start(vertx, agentConfig));
    api = await(Api.start(vertx, apiConfig, extraLoaders));
    awaitReady();
    // one of each warm-up serves both: the agent and the api share this JIT
    loadWarmUp =
        LoadWarmUp.start(
            apiConfig.loadWarmUpRounds(),
            apiConfig.eventKey(),
            apiConfig.ortIntraOpThreads(),
            apiConfig.maxTensorBytes());
    kafkaWarmUp =
        KafkaWarmUp.start(
            agentConfig.kafka(),
            Publisher.producerConfig(
                agentConfig.kafka(), "modelsync-agent-" + agentConfig.instanceId()),
            agentConfig.kafka().warmUpRounds());
    return this;
  }

  /** Completed when the Kafka warm-up has ended (empty when it did not run). */
  CompletableFuture<Optional<BackgroundWarmUp.Outcome>> kafkaWarmUp() {
    return kafkaWarmUp;
  }

  /** Completed when the load warm-up has ended (empty when it did not run). */
  CompletableFuture<Optional<BackgroundWarmUp.Outcome>> loadWarmUp() {
    return loadWarmUp;
  }

  int apiPort() {
    return api.httpPort();
  }

  int apiGrpcPort() {
    return api.grpcPort();
  }

  int agentPort() {
    return agent.httpPort();
  }

  /** The embedded broker, or null when an external Kafka is used. */
  EmbeddedKafka embeddedKafka() {
    return kafka;
  }

  String bootstrapServers() {
    return kafka != null ? kafka.bootstrapServers() : config.kafka();
  }

  @Override
  public void close() {
    try {
      // before the api and the broker: a warm-up's load or round trip must not outlive them
      LoadWarmUp.stop(WARM_UP_STOP);
      KafkaWarmUp.stop(WARM_UP_STOP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (api != null) {
      awaitQuietly(api.close(), "api");
    }
    if (agent != null) {
      awaitQuietly(agent.close(), "agent");
    }
    if (vertx != null) {
      awaitQuietly(vertx.close(), "vert.x");
    }
    if (kafka != null) {
      kafka.close();
    }
    LOG.info("modelsync stopped");
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI ready = URI.create("http://127.0.0.1:" + api.httpPort() + "/v2/health/ready");
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(ready).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        LOG.debug("api not answering yet: {}", e.toString());
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "the api was not ready within " + READY_TIMEOUT.toSeconds() + " s");
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void awaitQuietly(Future<?> future, String what) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("stopping the {} did not finish cleanly: {}", what, e.toString());
    }
  }
}
