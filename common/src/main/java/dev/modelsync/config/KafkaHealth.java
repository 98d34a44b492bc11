package dev.modelsync.config;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether Kafka is reachable, checked periodically with a short timeout. The check does not block
 * the thread that runs it: the agent schedules it on its sync thread, the api on a Vert.x timer.
 */
public final class KafkaHealth {
  /** The last outcome. */
  public record Status(boolean up, String reason) {}

  private final Admin admin;
  private final int timeoutMs;
  private volatile Status status = new Status(false, "Kafka not checked yet");

  public KafkaHealth(Admin admin, long intervalMs) {
    this.admin = admin;
    this.timeoutMs = (int) Math.max(500, Math.min(intervalMs, 5_000));
  }

  public void start(ScheduledExecutorService scheduler, long intervalMs) {
    scheduler.scheduleWithFixedDelay(this::check, 0, intervalMs, TimeUnit.MILLISECONDS);
  }

  public Status status() {
    return status;
  }

  /** Starts one check; its outcome replaces {@link #status()} when it completes. */
  public void check() {
    admin
        .describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
        .nodes()
        .whenComplete(
            (nodes, error) -> {
              if (error != null) {
                status = new Status(false, "Kafka unreachable: " + rootMessage(error));
              } else if (nodes.isEmpty()) {
                status = new Status(false, "Kafka cluster has no brokers");
              } else {
                status = new Status(true, nodes.size() + " broker(s)");
              }
            });
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
