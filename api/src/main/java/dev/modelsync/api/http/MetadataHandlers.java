package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.TensorInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Server and model metadata and health, KServe v2 and TF Serving. */
final class MetadataHandlers {
  static final String SERVER_VERSION = "0.1.0";
  private final Services services;

  MetadataHandlers(Services services) {
    this.services = services;
  }

  void server(RoutingContext ctx) {
    json(
        ctx,
        new JsonObject()
            .put("name", "modelsync")
            .put("version", SERVER_VERSION)
            .put("extensions", new JsonArray().add("model_repository")));
  }

  void live(RoutingContext ctx) {
    String failure = services.liveness().get();
    if (failure != null) {
      throw new ApiError(503, "not live: " + failure);
    }
    ctx.response().setStatusCode(200).end();
  }

  void ready(RoutingContext ctx) {
    if (!services.ready().getAsBoolean()) {
      throw ApiError.notReady("not ready: the model catalog is still loading");
    }
    ctx.response().setStatusCode(200).end();
  }

  /**
   * {@code GET /health}: 200 when the catalog is ready and Kafka answers, else 503 with the reason.
   * Readiness ({@code /v2/health/ready}) leaves Kafka out on purpose: in a Kafka outage every
   * replica still serves the versions it has, and taking them all out of a load balancer would drop
   * requests that could be answered.
   */
  void health(RoutingContext ctx) {
    boolean ready = services.ready().getAsBoolean();
    var kafka = services.health().get();
    boolean up = ready && kafka.up();
    JsonObject body =
        new JsonObject()
            .put("status", up ? "UP" : "DOWN")
            .put("catalog", ready ? "ready" : "loading")
            .put("kafka", kafka.reason());
    if (!up) {
      body.put("reason", kafka.up() ? "the model catalog is still loading" : kafka.reason());
    }
    ctx.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("content-type", "application/json")
        .end(body.encode());
  }

  /** {@code GET /v2/models/{m}[/versions/{v}]}. */
  void model(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    ServedVersion v = leaseFor(ctx);
    try {
      LoadedModel loaded = v.loaded();
      JsonArray versions = new JsonArray();
      services.catalog().slot(model).versions().keySet().forEach(k -> versions.add(k.toString()));
      json(
          ctx,
          new JsonObject()
              .put("name", model)
              .put("versions", versions)
              .put("platform", loaded.platform())
              .put("inputs", signature(loaded.inputs()))
              .put("outputs", signature(loaded.outputs())));
    } finally {
      v.release();
    }
  }

  /** {@code GET /v2/models/{m}[/versions/{v}]/ready}: 200, or 404/503 like inference. */
  void modelReady(RoutingContext ctx) {
    leaseFor(ctx).release();
    ctx.response().setStatusCode(200).end();
  }

  /** {@code GET /v1/models/{m}}. */
  void tfStatus(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    List<Long> versions = List.copyOf(services.catalog().slot(model).versions().keySet());
    if (versions.isEmpty()) {
      throw InferenceHandlers.missing(services, model, 0);
    }
    ctx.response()
        .putHeader("content-type", "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(TfServingCodec.status(versions)));
  }

  private ServedVersion leaseFor(RoutingContext ctx) {
    return new InferenceHandlers(services).lease(ctx.pathParam("model"), ctx.pathParam("version"));
  }

  private static JsonArray signature(List<TensorInfo> tensors) {
    JsonArray out = new JsonArray();
    for (TensorInfo t : tensors) {
      JsonArray shape = new JsonArray();
      for (long d : t.shape()) {
        shape.add(d);
      }
      out.add(
          new JsonObject().put("name", t.name()).put("datatype", t.datatype()).put("shape", shape));
    }
    return out;
  }

  static void json(RoutingContext ctx, Object body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return; // answered by the request timeout
    }
    ctx.response()
        .putHeader("content-type", "application/json")
        .end(io.vertx.core.json.Json.encode(body));
  }
}
