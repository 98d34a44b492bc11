package dev.modelsync.api.http;

import dev.modelsync.api.deploy.RepositoryAdmin;
import dev.modelsync.events.ModelNames;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Token-protected operator calls (pin, roll back, unpin, repository load and unload) and the
 * repository index.
 */
final class AdminHandlers {
  private final Services services;

  AdminHandlers(Services services) {
    this.services = services;
  }

  /** Lets the request on only with the right bearer token. */
  void authorize(RoutingContext ctx) {
    var token = services.adminToken();
    if (token.isEmpty()) {
      throw new ApiError(403, "admin calls are disabled: MODELSYNC_ADMIN_TOKEN is not set");
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(401, "admin calls need an 'Authorization: Bearer <token>' header");
    }
    if (!token.get().matches(header.substring(7).trim())) {
      throw new ApiError(403, "wrong admin token");
    }
    ctx.next();
  }

  void pin(RoutingContext ctx) {
    String model = model(ctx);
    JsonObject body = bodyObject(ctx);
    Object v = body == null ? null : body.getValue("version");
    long version = v == null ? -1 : ModelNames.parseVersion(v.toString());
    if (version < 1) {
      throw ApiError.badRequest("the body must be {\"version\": \"<positive integer>\"}");
    }
    answer(ctx, admin().pin(model, version).map(p -> serving(model, p, true)));
  }

  void rollback(RoutingContext ctx) {
    String model = model(ctx);
    answer(ctx, admin().rollback(model).map(p -> serving(model, p, true)));
  }

  void unpin(RoutingContext ctx) {
    String model = model(ctx);
    answer(ctx, admin().unpin(model).map(p -> serving(model, p, false)));
  }

  /** {@code POST .../promote}: the candidate of the model's rollout serves, on every replica. */
  void promote(RoutingContext ctx) {
    String model = model(ctx);
    answer(
        ctx,
        admin()
            .promote(model)
            .map(
                v ->
                    new JsonObject()
                        .put("name", model)
                        .put("version", Long.toString(v))
                        .put("decision", "promoted")));
  }

  /** {@code POST .../reject}: the candidate of the model's rollout is rolled back everywhere. */
  void reject(RoutingContext ctx) {
    String model = model(ctx);
    answer(
        ctx,
        admin()
            .rollBackCandidate(model)
            .map(
                v ->
                    new JsonObject()
                        .put("name", model)
                        .put("version", Long.toString(v))
                        .put("decision", "rolled_back")));
  }

  /** {@code GET .../rollout}: the model's rollout on this replica and its measures. */
  void rollout(RoutingContext ctx) {
    String model = model(ctx);
    answer(
        ctx,
        admin()
            .rollout(model)
            .compose(
                view ->
                    view == null
                        ? Future.failedFuture(
                            new ApiError(404, model + " has no rollout under way on this replica"))
                        : Future.succeededFuture(view)));
  }

  void load(RoutingContext ctx) {
    String model = model(ctx);
    answer(
        ctx,
        admin().load(model).map(x -> new JsonObject().put("name", model).put("state", "READY")));
  }

  void unload(RoutingContext ctx) {
    String model = model(ctx);
    answer(
        ctx,
        admin()
            .unload(model)
            .map(x -> new JsonObject().put("name", model).put("state", "UNAVAILABLE")));
  }

  void index(RoutingContext ctx) {
    answer(
        ctx,
        admin()
            .index()
            .map(
                entries -> {
                  JsonArray out = new JsonArray();
                  entries.forEach(
                      e ->
                          out.add(
                              new JsonObject()
                                  .put("name", e.name())
                                  .put("version", e.version())
                                  .put("state", e.state())
                                  .put("reason", e.reason())));
                  return out;
                }));
  }

  private RepositoryAdmin admin() {
    return services.admin();
  }

  private static JsonObject serving(String model, long version, boolean pinned) {
    return new JsonObject()
        .put("name", model)
        .put("version", Long.toString(version))
        .put("pinned", pinned);
  }

  private static String model(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    UrlParams.checkName(model);
    return model;
  }

  private static JsonObject bodyObject(RoutingContext ctx) {
    var buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      return null;
    }
    try {
      return buffer.toJsonObject();
    } catch (RuntimeException e) {
      throw ApiError.badRequest("the request body is not a JSON object");
    }
  }

  private static void answer(RoutingContext ctx, Future<?> result) {
    result.onComplete(
        ar -> {
          if (ar.succeeded()) {
            MetadataHandlers.json(ctx, ar.result());
          } else {
            HttpErrors.send(ctx, ar.cause());
          }
        });
  }
}
