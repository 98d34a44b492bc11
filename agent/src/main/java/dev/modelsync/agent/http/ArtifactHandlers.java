package dev.modelsync.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelsync.agent.http.ArtifactIndex.Listing;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.events.ArtifactPathException;
import dev.modelsync.events.ArtifactPaths;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelNames;
import dev.modelsync.events.ModelSaved.FileEntry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /artifacts/{model}/{version}} (the file list and digest, JSON) and {@code GET
 * /artifacts/{model}/{version}/{file...}} (one file; the ETag is its SHA-256, {@code If-None-Match}
 * answers 304, one {@code Range} answers 206), for api replicas that do not share the store. Only
 * files of complete, saved versions are served. Hashing and path checks run on a worker; files go
 * out with {@code sendFile}.
 */
final class ArtifactHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactHandlers.class);
  private static final ObjectMapper MAPPER = Json.newMapper();

  private final Vertx vertx;
  private final ArtifactIndex index;
  private final Optional<ArtifactToken> token;

  ArtifactHandlers(Vertx vertx, ArtifactIndex index, Optional<ArtifactToken> token) {
    this.vertx = vertx;
    this.index = index;
    this.token = token;
  }

  void mount(Router router) {
    router.route("/artifacts/*").handler(this::authorize);
    router.get("/artifacts/:model/:version").handler(this::list);
    router.get("/artifacts/:model/:version/*").handler(this::file);
  }

  private void authorize(RoutingContext ctx) {
    if (token.isEmpty()) {
      ctx.next();
      return;
    }
    String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (auth == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"modelsync\"");
      error(ctx.response(), 401, "a bearer token (MODELSYNC_ARTIFACT_TOKEN) is required");
    } else if (!token.get().accepts(auth)) {
      error(ctx.response(), 403, "the bearer token is not the artifact token");
    } else {
      ctx.next();
    }
  }

  private void list(RoutingContext ctx) {
    listing(ctx)
        .onSuccess(
            found -> {
              if (found != null) {
                json(ctx.response(), found);
              }
            })
        .onFailure(e -> failed(ctx, e));
  }

  private void file(RoutingContext ctx) {
    String path = ctx.pathParam("*");
    listing(ctx)
        .compose(
            found -> {
              if (found == null) {
                return Future.succeededFuture();
              }
              Optional<FileEntry> entry = found.file(path);
              if (entry.isEmpty()) {
                error(ctx.response(), 404, "no file '" + path + "' in this version");
                return Future.succeededFuture();
              }
              return vertx
                  .executeBlocking(() -> resolve(found, entry.get()), false)
                  .compose(file -> send(ctx, file, entry.get()));
            })
        .onFailure(e -> failed(ctx, e));
  }

  /** The listing, or null after answering 400/404 for a bad name or unknown version. */
  private Future<Listing> listing(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    long version = ModelNames.parseVersion(ctx.pathParam("version"));
    if (!ModelNames.isValid(model) || version < 0) {
      error(ctx.response(), 400, "expected /artifacts/{model}/{version} with a valid name");
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(() -> index.listing(model, version), false)
        .map(
            found -> {
              if (found.isEmpty()) {
                error(
                    ctx.response(),
                    404,
                    "model " + model + " version " + version + " is not a published version");
                return null;
              }
              return found.get();
            });
  }

  /** The file's real path, refused if it is not a plain path inside the version directory. */
  private Path resolve(Listing listing, FileEntry entry) throws ArtifactPathException {
    return ArtifactPaths.resolve(index.directory(listing.model(), listing.version()), entry.path());
  }

  private Future<Void> send(RoutingContext ctx, Path file, FileEntry entry) {
    HttpServerResponse response = ctx.response();
    String etag = "\"" + entry.sha256() + "\"";
    response
        .putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable");
    if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      return response.setStatusCode(304).end();
    }
    long size = entry.size();
    ByteRange range = ByteRange.parse(ctx.request().getHeader("Range"), size);
    if (range.unsatisfiable()) {
      response.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
      return error(response, 416, "range not satisfiable for " + size + " bytes");
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
    if (range.whole()) {
      return response.sendFile(file.toString(), 0, size);
    }
    response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange(size));
    return response.sendFile(file.toString(), range.start(), range.length());
  }

  /** {@code If-None-Match}: {@code *} or a list of (possibly weak) entity tags. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  private void failed(RoutingContext ctx, Throwable e) {
    if (ctx.response().headWritten()) {
      LOG.warn("Sending {} failed: {}", ctx.normalizedPath(), e.toString());
      ctx.response().reset();
      return;
    }
    LOG.error("Cannot serve {}: {}", ctx.normalizedPath(), e.toString());
    error(ctx.response(), 500, "cannot read this version from the store");
  }

  private static Future<Void> error(HttpServerResponse response, int status, String message) {
    return json(response.setStatusCode(status), Map.of("error", message));
  }

  private static Future<Void> json(HttpServerResponse response, Object body) {
    try {
      return response
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(Buffer.buffer(MAPPER.writeValueAsBytes(body)));
    } catch (Exception e) {
      return response.setStatusCode(500).end("{\"error\":\"cannot encode response\"}");
    }
  }
}
