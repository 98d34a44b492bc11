package dev.modelsync.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.agent.store.StoreHealth;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.config.KafkaHealth;
import dev.modelsync.events.Json;
import dev.modelsync.metrics.CommonMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * The agent's HTTP surface: /health, /models and /metrics (in-memory snapshots), and /artifacts
 * (the store, for api replicas on other hosts).
 */
public final class AgentHttp {
  private static final ObjectMapper MAPPER = Json.newMapper();

  private AgentHttp() {}

  public static Router router(
      Vertx vertx,
      Supplier<KafkaHealth.Status> health,
      Supplier<StoreHealth.Status> store,
      Supplier<Optional<String>> publishing,
      Supplier<Map<String, Object>> models,
      PrometheusMeterRegistry registry,
      ArtifactIndex artifacts,
      Optional<ArtifactToken> artifactToken,
      String watchMode) {
    Router router = Router.router(vertx);
    new ArtifactHandlers(vertx, artifacts, artifactToken).mount(router);
    router
        .get("/health")
        .handler(
            ctx -> {
              KafkaHealth.Status kafka = health.get();
              StoreHealth.Status storeNow = store.get();
              Optional<String> refused = publishing.get();
              StringJoiner reason = new StringJoiner("; ");
              if (!kafka.up()) {
                reason.add(kafka.reason());
              }
              if (!storeNow.up()) {
                reason.add(storeNow.reason());
              }
              refused.ifPresent(reason::add);
              boolean up = reason.length() == 0;
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("status", up ? "UP" : "DOWN");
              if (!up) {
                body.put("reason", reason.toString());
              }
              body.put("kafka", kafka.reason());
              body.put("store", storeNow.reason());
              body.put("publishing", refused.orElse("every event taken"));
              body.put("watch", watchMode);
              json(ctx.response().setStatusCode(up ? 200 : 503), body);
            });
    router.get("/models").handler(ctx -> json(ctx.response(), models.get()));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", CommonMeters.CONTENT_TYPE)
                    .end(registry.scrape()));
    return router;
  }

  private static void json(HttpServerResponse response, Object body) {
    try {
      response
          .putHeader("content-type", "application/json")
          .end(io.vertx.core.buffer.Buffer.buffer(MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      response.setStatusCode(500).end("{\"error\":\"cannot encode response\"}");
    }
  }
}
