package dev.modelsync.standalone.faults;

import dev.modelsync.events.EventCodec;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.Topics;
import dev.modelsync.testkit.kafka.TopicReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** What the fault tests share: HTTP calls, bounded waits, reading a topic from the beginning. */
public final class Faults {
  /** Input [1,2,3,4]: affine(s) answers [10s, 11s, 12s]. */
  public static final String INFER_BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /** How long reading a topic to its end may take. */
  static final Duration READ = Duration.ofSeconds(20);

  private static final EventCodec CODEC = new EventCodec(URI.create("/faults-test"));

  private Faults() {}

  public static HttpRequest inferRequest(int port, String model) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(INFER_BODY))
        .build();
  }

  /** Status and body of an infer call; status -1 when the server does not answer. */
  static HttpResponse<String> infer(int port, String model) {
    return send(inferRequest(port, model));
  }

  static HttpResponse<String> get(int port, String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The data array of a KServe answer, such as {@code [10.0,11.0,12.0]}; null if none. */
  public static String data(String body) {
    int at = body == null ? -1 : body.indexOf("\"data\":");
    return at < 0 ? null : body.substring(at + 7, body.indexOf(']', at) + 1);
  }

  /** The data a model answers now, or its status and error. */
  static String answer(int port, String model) {
    HttpResponse<String> r = infer(port, model);
    if (r == null) {
      return "no answer";
    }
    return r.statusCode() == 200 ? data(r.body()) : r.statusCode() + " " + r.body();
  }

  /** Waits until the condition holds; fails with {@code what} after the timeout. */
  static void await(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  static void awaitAnswer(int port, String model, String expected, Duration timeout)
      throws InterruptedException {
    String[] last = {""};
    try {
      await(
          timeout,
          model + " answers " + expected,
          () -> expected.equals(last[0] = answer(port, model)));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last answer " + last[0], e);
    }
  }

  /** A reader of a topic from its beginning with one consumer: keep it open to poll for events. */
  static TopicReader<ModelEvent> reader(String bootstrap, String topic) {
    return new TopicReader<>(bootstrap, topic, CODEC::decode);
  }

  /** Every event on a topic from the beginning to its end now (one consumer, opened and closed). */
  static List<ModelEvent> readAll(String bootstrap, String topic) {
    try (TopicReader<ModelEvent> reader = reader(bootstrap, topic)) {
      return reader.readToEnd(READ);
    }
  }

  /** The first status event that matches, read with one consumer; fails after {@code timeout}. */
  static ModelStatus awaitStatus(String bootstrap, Predicate<ModelStatus> match, Duration timeout) {
    try (TopicReader<ModelEvent> reader = reader(bootstrap, Topics.MODEL_STATUS)) {
      return (ModelStatus) reader.await(e -> e instanceof ModelStatus s && match.test(s), timeout);
    }
  }

  /** A gauge's value from a Prometheus scrape, such as {@code modelsync_models_open}. */
  public static double gauge(int port, String name) {
    HttpResponse<String> r = get(port, "/metrics");
    if (r == null) {
      return Double.NaN;
    }
    return r.body()
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(Double.NaN);
  }
}
