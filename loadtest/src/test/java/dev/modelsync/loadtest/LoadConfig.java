package dev.modelsync.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;

/**
 * Everything one load-test run needs, read once from {@code -D} system properties and validated
 * here, so a bad value fails before any request is sent and the error names the property.
 */
record LoadConfig(
    URI baseUrl,
    String model,
    String modelVersion,
    String input,
    String datatype,
    int[] shape,
    Workload workload,
    double rate,
    int concurrency,
    Duration ramp,
    Duration duration) {

  enum Workload {
    /**
     * Arrivals at a fixed rate whatever the latency: shows queueing when the server falls behind.
     */
    OPEN,
    /** A fixed number of users, each sending its next request when the previous one answered. */
    CLOSED
  }

  /**
   * How long a run may outlast ramp + duration before Gatling stops it: in-flight requests drain.
   */
  static final Duration GRACE = Duration.ofSeconds(10);

  LoadConfig {
    require(
        baseUrl.getScheme() != null && baseUrl.getScheme().startsWith("http"), "baseUrl", baseUrl);
    require(model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}"), "model", model);
    require(
        modelVersion.isEmpty() || modelVersion.matches("[1-9][0-9]*"),
        "modelVersion",
        modelVersion);
    require(!input.isBlank(), "input", input);
    require(
        TensorBody.supports(datatype),
        "datatype",
        datatype + " (supported: " + TensorBody.SUPPORTED + ")");
    require(
        shape.length > 0 && Arrays.stream(shape).allMatch(d -> d > 0),
        "shape",
        Arrays.toString(shape));
    require(rate > 0, "rate", rate);
    require(concurrency > 0, "concurrency", concurrency);
    require(!ramp.isNegative(), "ramp", ramp);
    require(duration.toSeconds() > 0 && duration.toHours() < 24, "duration", duration);
  }

  static LoadConfig fromSystemProperties() {
    Properties p = System.getProperties();
    var config =
        new LoadConfig(
            URI.create(stripSlash(p.getProperty("baseUrl", "http://127.0.0.1:8080"))),
            p.getProperty("model", "demo"),
            p.getProperty("modelVersion", ""),
            p.getProperty("input", "input"),
            p.getProperty("datatype", "FP32").toUpperCase(Locale.ROOT),
            parseShape(p.getProperty("shape", "1,4")),
            parseWorkload(p.getProperty("workload", "closed")),
            parseDouble(p, "rate", "50"),
            (int) parseDouble(p, "concurrency", "8"),
            Duration.ofSeconds((long) parseDouble(p, "ramp", "3")),
            Duration.ofSeconds((long) parseDouble(p, "duration", "30")));
    if (!Boolean.parseBoolean(p.getProperty("allowRemote", "false"))) {
      requireLoopback(config.baseUrl());
    }
    return config;
  }

  String inferPath() {
    String versionPart = modelVersion.isEmpty() ? "" : "/versions/" + modelVersion;
    return "/v2/models/" + model + versionPart + "/infer";
  }

  Duration maxDuration() {
    return ramp.plus(duration).plus(GRACE);
  }

  String describe() {
    String load =
        workload == Workload.OPEN ? rate + " req/s open" : concurrency + " concurrent users closed";
    return String.format(
        "%s%s, %s %s %s, %s, ramp %ds + %ds",
        baseUrl,
        inferPath(),
        input,
        datatype,
        Arrays.toString(shape),
        load,
        ramp.toSeconds(),
        duration.toSeconds());
  }

  /**
   * Load tests stay on this machine unless the user says otherwise: a typo must not load someone
   * else.
   */
  private static void requireLoopback(URI url) {
    try {
      if (InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
        return;
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("baseUrl: unknown host " + url.getHost(), e);
    }
    throw new IllegalArgumentException(
        "baseUrl: "
            + url
            + " is not a loopback address; pass -DallowRemote=true to load a remote deployment");
  }

  private static int[] parseShape(String value) {
    try {
      return Arrays.stream(value.split(","))
          .map(String::trim)
          .mapToInt(Integer::parseInt)
          .toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("shape: expected comma-separated sizes, got " + value, e);
    }
  }

  private static Workload parseWorkload(String value) {
    try {
      return Workload.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("workload: expected open or closed, got " + value, e);
    }
  }

  private static double parseDouble(Properties p, String key, String fallback) {
    String value = p.getProperty(key, fallback);
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": expected a number, got " + value, e);
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static void require(boolean ok, String key, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(key + ": invalid value " + value);
    }
  }
}
