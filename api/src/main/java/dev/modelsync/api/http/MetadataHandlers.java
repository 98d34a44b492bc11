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
            .put("extensions", new JsonArray(EXTENSIONS)));
  }

  /** The extensions GET /v2 lists: Triton's names for what this server implements. */
  static final List<String> EXTENSIONS =
      List.of(
          "model_repository", // POST /v2/repository/...
          BinaryTensors.EXTENSION, // binary_data_size / binary_data / binary_data_output
          "model_configuration", // GET .../config
          "statistics"); // GET .../stats

  /**
   * {@code GET /v2/health/live}: {@code {"live": true}}. The Open Inference Protocol's first text
   * asked for empty health bodies, but KServe's Python client calls {@code .json()} on them, and
   * the protocol's current text defines these bodies; Triton's client reads the status only.
   */
  void live(RoutingContext ctx) {
    String failure = services.liveness().get();
    if (failure != null) {
      throw new ApiError(503, "not live: " + failure);
    }
    json(ctx, new JsonObject().put("live", true));
  }

  /**
   * {@code GET /v2/health/ready}: {@code {"ready": true}}, or 503 with {@code "ready": false} and
   * the usual {@code "error"} while the catalog is being rebuilt.
   */
  void ready(RoutingContext ctx) {
    if (!services.ready().getAsBoolean()) {
      ctx.response().setStatusCode(503);
      json(
          ctx,
          new JsonObject()
              .put("ready", false)
              .put("error", "not ready: the model catalog is still loading"));
      return;
    }
    json(ctx, new JsonObject().put("ready", true));
  }

  /** {@code GET /}: KServe's v1 liveness ({@code {"status": "alive"}}), which its client reads. */
  void root(RoutingContext ctx) {
    json(ctx, new JsonObject().put("status", "alive"));
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
      services.catalog().slot(model).served().keySet().forEach(k -> versions.add(k.toString()));
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

  /**
   * {@code GET /v2/models/{m}[/versions/{v}]/ready}: 200 with {@code {"name": m, "ready": true}},
   * or 404/503 with an error like inference (a version that is not loaded cannot be asked to get
   * ready: it is not there).
   */
  void modelReady(RoutingContext ctx) {
    leaseFor(ctx).release();
    json(ctx, new JsonObject().put("name", ctx.pathParam("model")).put("ready", true));
  }

  private ServedVersion leaseFor(RoutingContext ctx) {
    return Inference.leaseServing(services, ctx.pathParam("model"), ctx.pathParam("version"));
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
