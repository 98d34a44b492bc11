package dev.modelsync.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KServe Open Inference Protocol v2 infer traffic against any deployment: {@code POST
 * /v2/models/{model}/infer} with random data of the configured shape. Configured by system
 * properties (see {@link LoadConfig} and loadtest/README.md); fails the run if any request fails.
 */
public class InferSimulation extends Simulation {

  private static final Logger LOG = LoggerFactory.getLogger(InferSimulation.class);

  private final LoadConfig config = LoadConfig.fromSystemProperties();

  {
    LOG.info("modelsync load test: {}", config.describe());
    setUp(population(inferScenario()))
        .protocols(protocol())
        .assertions(global().failedRequests().percent().is(0.0))
        // A hard stop, so a stalled server cannot keep a run going past what the user asked for.
        .maxDuration(config.maxDuration());
  }

  private HttpProtocolBuilder protocol() {
    return http.baseUrl(config.baseUrl().toString())
        .contentTypeHeader("application/json")
        .acceptHeader("application/json")
        // Users share a keep-alive pool, like an inference client would, so the run measures infer
        // rather than TCP handshakes.
        .shareConnections();
  }

  private ScenarioBuilder inferScenario() {
    var bodies = new TensorBody(config.input(), config.datatype(), config.shape());
    return scenario("infer " + config.model())
        .exec(
            http("infer " + config.model())
                .post(config.inferPath())
                .body(StringBody(session -> bodies.next()))
                .check(status().is(200), jsonPath("$.outputs[0].data").exists()));
  }

  private PopulationBuilder population(ScenarioBuilder scenario) {
    long ramp = config.ramp().toSeconds();
    long duration = config.duration().toSeconds();
    // Gatling rejects a ramp over 0 s, so -Dramp=0 leaves the ramp step out.
    return switch (config.workload()) {
      case OPEN -> {
        var steady = constantUsersPerSec(config.rate()).during(duration);
        yield ramp == 0
            ? scenario.injectOpen(steady)
            : scenario.injectOpen(rampUsersPerSec(0).to(config.rate()).during(ramp), steady);
      }
      case CLOSED -> {
        var steady = constantConcurrentUsers(config.concurrency()).during(duration);
        yield ramp == 0
            ? scenario.injectClosed(steady)
            : scenario.injectClosed(
                rampConcurrentUsers(0).to(config.concurrency()).during(ramp), steady);
      }
    };
  }
}
