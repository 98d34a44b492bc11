package dev.modelsync.standalone;

import dev.modelsync.config.ConfigException;
import dev.modelsync.config.Settings;
import dev.modelsync.process.OrderlyExit;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar modelsync-standalone.jar [flags]}: Kafka, the agent and the api in one process,
 * for a laptop, a test or CI. {@code java -jar modelsync-standalone.jar events} tails both topics.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger("modelsync");

  private Main() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    if (args.length > 0 && args[0].equals("events")) {
      System.exit(EventsTail.run(System.getenv(), Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      LOG.info(
          "Usage: java -jar modelsync-standalone.jar [flags] | events [--kafka HOST:PORT]\n{}",
          Settings.describe(StandaloneConfig.OPTIONS));
      return;
    }
    long started = System.nanoTime();
    StandaloneConfig config;
    try {
      config = StandaloneConfig.from(System.getenv(), args);
    } catch (ConfigException e) {
      LOG.error("modelsync: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Launcher launcher = new Launcher(config, System.getenv());
    CountDownLatch stopped = new CountDownLatch(1);
    OrderlyExit.install(
        "modelsync",
        () -> {
          launcher.close();
          stopped.countDown();
        });
    try {
      launcher.start();
    } catch (Exception e) {
      LOG.error("modelsync: could not start: {}", e.toString());
      System.exit(1);
    }
    long readyMs = (System.nanoTime() - started) / 1_000_000;
    String base = "http://127.0.0.1:" + launcher.apiPort();
    LOG.info(
        """
        modelsync ready in {} ms
          save models into   {}
          infer              curl -s -X POST {}/v2/models/demo/infer -H 'Content-Type: application/json' \\
                               -d '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}'
          api metrics        {}/metrics
          agent              http://127.0.0.1:{}/health  /models  /metrics
          kafka bootstrap    {}   (kcat -C -b {} -t modelsync.model-events)
        Ctrl-C stops everything.""",
        readyMs,
        config.modelsDir(),
        base,
        base,
        launcher.agentPort(),
        launcher.bootstrapServers(),
        launcher.bootstrapServers());
    stopped.await();
  }
}
