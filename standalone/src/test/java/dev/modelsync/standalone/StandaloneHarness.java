package dev.modelsync.standalone;

import dev.modelsync.api.engine.ModelLoader;
import dev.modelsync.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The launcher in this JVM on free ports, for tests and benchmarks. */
public final class StandaloneHarness implements AutoCloseable {
  private final Launcher launcher;
  private final StandaloneConfig config;

  private StandaloneHarness(Launcher launcher, StandaloneConfig config) {
    this.launcher = launcher;
    this.config = config;
  }

  public static StandaloneHarness start(Path dir) throws Exception {
    return start(dir, Map.of());
  }

  public static StandaloneHarness start(Path dir, Map<String, String> extraEnv) throws Exception {
    return start(dir, extraEnv, List.of());
  }

  /** With engines besides ONNX Runtime, such as a loader that fails or takes its time. */
  public static StandaloneHarness start(
      Path dir, Map<String, String> extraEnv, List<ModelLoader> extraLoaders) throws Exception {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("MODELSYNC_MODELS_DIR", dir.resolve("models").toString());
    env.put("MODELSYNC_DATA_DIR", dir.resolve("data").toString());
    env.put("MODELSYNC_PORT", "0");
    env.put("MODELSYNC_AGENT_PORT", "0");
    env.put("MODELSYNC_GRPC_PORT", "0");
    env.put("MODELSYNC_KAFKA_PORT", "0");
    env.put("MODELSYNC_DEMO", "false");
    // tests do not warm up (a benchmark passes its own values)
    env.putIfAbsent("MODELSYNC_KAFKA_WARMUP_ROUNDS", "0");
    env.putIfAbsent("MODELSYNC_SAVE_WARMUP_ROUNDS", "0");
    env.putIfAbsent("MODELSYNC_LOAD_WARMUP_ROUNDS", "0");
    StandaloneConfig config = StandaloneConfig.from(env);
    return new StandaloneHarness(new Launcher(config, env, extraLoaders).start(), config);
  }

  public int apiPort() {
    return launcher.apiPort();
  }

  public int agentPort() {
    return launcher.agentPort();
  }

  /** What the Kafka warm-up did once it has ended; empty when it did not run (tests: 0 rounds). */
  public java.util.Optional<dev.modelsync.config.BackgroundWarmUp.Outcome> awaitKafkaWarmUp()
      throws Exception {
    return launcher.kafkaWarmUp().get(2, java.util.concurrent.TimeUnit.MINUTES);
  }

  /** What the load warm-up did once it has ended; empty when it did not run (tests: 0 rounds). */
  public java.util.Optional<dev.modelsync.config.BackgroundWarmUp.Outcome> awaitLoadWarmUp()
      throws Exception {
    return launcher.loadWarmUp().get(2, java.util.concurrent.TimeUnit.MINUTES);
  }

  public String bootstrapServers() {
    return launcher.bootstrapServers();
  }

  /** The embedded broker, to take Kafka away and bring it back on the same port. */
  public EmbeddedKafka kafka() {
    return launcher.embeddedKafka();
  }

  public Path storeDir() {
    return config.storeDir();
  }

  public Path modelsDir() {
    return config.modelsDir();
  }

  /** Saves a version the way the notebook helper does; returns System.nanoTime() at the rename. */
  public static long saveVersion(Path modelsDir, String name, long version, byte[] onnx)
      throws IOException {
    return DemoModel.save(modelsDir, name, version, onnx);
  }

  @Override
  public void close() {
    launcher.close();
  }
}
