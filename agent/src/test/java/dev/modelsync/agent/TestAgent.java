package dev.modelsync.agent;

import dev.modelsync.agent.watch.WatchMode;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventKey;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.testkit.kafka.TopicReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/** An agent on temporary directories and its own topic, for one test. */
final class TestAgent implements AutoCloseable {
  private static final EventCodec CODEC = new EventCodec(URI.create("/test"));
  final Vertx vertx = Vertx.vertx();
  final Path models;
  final Path store;
  final AgentConfig config;
  private Agent agent;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The quiet-period clock of {@link #withManualClock()}, in milliseconds. */
  final AtomicLong quietClock = new AtomicLong(1_000_000);

  private boolean manualClock;

  TestAgent(Path root, String bootstrap, long quietMs) throws IOException {
    this(root, bootstrap, quietMs, Optional.empty());
  }

  TestAgent(Path root, String bootstrap, long quietMs, Optional<EventKey> eventKey)
      throws IOException {
    this(root, bootstrap, quietMs, eventKey, Optional.empty());
  }

  TestAgent(Path root, String bootstrap, long quietMs, WatchMode watch) throws IOException {
    this(root, bootstrap, quietMs, Optional.empty(), Optional.empty(), watch);
  }

  TestAgent(
      Path root,
      String bootstrap,
      long quietMs,
      Optional<EventKey> eventKey,
      Optional<ArtifactToken> artifactToken)
      throws IOException {
    this(root, bootstrap, quietMs, eventKey, artifactToken, WatchMode.AUTO);
  }

  TestAgent(
      Path root,
      String bootstrap,
      long quietMs,
      Optional<EventKey> eventKey,
      Optional<ArtifactToken> artifactToken,
      WatchMode watch)
      throws IOException {
    this(root, bootstrap, quietMs, eventKey, artifactToken, watch, Optional.empty());
  }

  /** Uploading each version to {@code bucket} before publishing it. */
  TestAgent(Path root, String bootstrap, long quietMs, BucketConfig bucket) throws IOException {
    this(
        root,
        bootstrap,
        quietMs,
        Optional.empty(),
        Optional.empty(),
        WatchMode.AUTO,
        Optional.of(bucket));
  }

  private TestAgent(
      Path root,
      String bootstrap,
      long quietMs,
      Optional<EventKey> eventKey,
      Optional<ArtifactToken> artifactToken,
      WatchMode watch,
      Optional<BucketConfig> bucket)
      throws IOException {
    models = Files.createDirectories(root.resolve("models"));
    store = Files.createDirectories(root.resolve("store"));
    config =
        new AgentConfig(
            models,
            store,
            new KafkaClientConfig(bootstrap, Map.of(), 0),
            "events-" + UUID.randomUUID(),
            0,
            "127.0.0.1",
            quietMs,
            500,
            300,
            100,
            "test",
            eventKey,
            artifactToken,
            watch,
            bucket,
            0);
  }

  TestAgent start() throws Exception {
    agent =
        await(
            Agent.start(vertx, config, manualClock ? quietClock::get : System::currentTimeMillis));
    return this;
  }

  /**
   * Measures the quiet period with {@link #quietClock}, which stands still until the test moves it
   * on: a save completes by the quiet rule only after {@code quietClock.addAndGet(quietMs)}.
   */
  TestAgent withManualClock() {
    manualClock = true;
    return this;
  }

  /** Stops the agent, keeping Vert.x for a later {@link #start()}. */
  void stop() throws Exception {
    if (agent != null) {
      await(agent.close());
      agent = null;
    }
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until a line of the body matches {@code regex} (the whole line). */
  void awaitBody(String path, String regex) throws Exception {
    Pattern line = Pattern.compile(regex);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String body = bodyOrEmpty(path);
    while (body.lines().noneMatch(l -> line.matcher(l).matches()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      body = bodyOrEmpty(path);
    }
    if (body.lines().noneMatch(l -> line.matcher(l).matches())) {
      throw new AssertionError(regex + " not in " + path + ": " + body);
    }
  }

  /** The body of a GET, or "" when the agent is too busy to answer within the request timeout. */
  private String bodyOrEmpty(String path) throws Exception {
    try {
      return get(path).body();
    } catch (java.net.http.HttpTimeoutException e) {
      return "";
    }
  }

  /** A GET of {@code path} on the agent, to add headers to. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path))
        .timeout(Duration.ofSeconds(5));
  }

  <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body)
      throws Exception {
    return http.send(request.build(), body);
  }

  /** Polls a path until it answers with {@code status}; fails after {@code timeout}. */
  HttpResponse<String> awaitStatus(String path, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> response = get(path);
    while (response.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
      response = get(path);
    }
    return response;
  }

  /**
   * Writes files into a hidden directory beside the version, then renames it into place, the way
   * the Python helper saves.
   */
  Path renameSave(String model, long version, Map<String, byte[]> files) throws IOException {
    Path modelDir = Files.createDirectories(models.resolve(model));
    Path tmp = Files.createDirectory(modelDir.resolve(".tmp-" + UUID.randomUUID()));
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(tmp.resolve(f.getKey()), f.getValue());
    }
    if (!files.containsKey("model.json")) {
      // ctime and mtime tick with the kernel's coarse clock: let one tick pass so the rename shows
      try {
        Thread.sleep(30);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return Files.move(
        tmp, modelDir.resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
  }

  /** A reader of this agent's events topic from its beginning, decoding every event. */
  TopicReader<ModelEvent> events() {
    return events(config.kafka().bootstrapServers(), config.eventsTopic());
  }

  /** A reader of any events topic from its beginning, decoding every event. */
  static TopicReader<ModelEvent> events(String bootstrapServers, String topic) {
    return new TopicReader<>(bootstrapServers, topic, CODEC::decode);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    stop();
    await(vertx.close());
  }
}
