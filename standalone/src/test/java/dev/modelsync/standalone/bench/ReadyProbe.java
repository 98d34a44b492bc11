package dev.modelsync.standalone.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks a replica's {@code /ready} for one version until it answers 200: the fetch benchmarks'
 * clock.
 */
final class ReadyProbe {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ReadyProbe() {}

  /**
   * Polls the replica on {@code port} until the version is loaded; returns System.nanoTime() then.
   */
  static long awaitReady(int port, String model, int version, Duration limit) {
    HttpRequest ready =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/v2/models/"
                        + model
                        + "/versions/"
                        + version
                        + "/ready"))
            .build();
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime();
        }
        // a 1 ms poll: the figure is the time to serve, so the probe must not blur it
        Thread.sleep(1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException(model + " version " + version + " never loaded on " + port);
  }
}
