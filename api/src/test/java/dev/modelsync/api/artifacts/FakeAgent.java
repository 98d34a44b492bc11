package dev.modelsync.api.artifacts;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server answering {@code GET /artifacts/{model}/{version}/{file}} from a directory laid
 * out like the store, with faults on demand: cut the connection after some bytes, ignore ranges,
 * flip a byte, wait before answering.
 */
final class FakeAgent implements AutoCloseable {
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> ranges = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final Vertx vertx;
  private final Path root;
  private final HttpServer server;

  /** Cut the connection after this many body bytes, for this many requests. */
  volatile long cutAfter = -1;

  volatile int cuts;
  volatile boolean ignoreRanges;
  volatile boolean corrupt;
  volatile long delayMs;

  FakeAgent(Vertx vertx, Path root) throws Exception {
    this.vertx = vertx;
    this.root = root;
    this.server =
        vertx.createHttpServer().requestHandler(this::handle).listen(0).await(10, TimeUnit.SECONDS);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  long fileRequests() {
    return requests.stream().filter(r -> r.chars().filter(c -> c == '/').count() >= 4).count();
  }

  private void handle(HttpServerRequest request) {
    requests.add(request.path());
    String range = request.getHeader("Range");
    ranges.add(range == null ? "" : range);
    String auth = request.getHeader("Authorization");
    authorizations.add(auth == null ? "" : auth);
    Path file = root.resolve(request.path().substring("/artifacts/".length()));
    if (!Files.isRegularFile(file)) {
      request.response().setStatusCode(404).end();
      return;
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (corrupt) {
        bytes[bytes.length / 2] ^= 1;
      }
      long from = 0;
      var response = request.response();
      if (range != null && !ignoreRanges) {
        from = Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
        response
            .setStatusCode(206)
            .putHeader(
                "Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
      }
      Buffer body = Buffer.buffer(bytes).slice((int) from, bytes.length);
      response.putHeader("Content-Length", Long.toString(body.length()));
      Runnable send =
          () -> {
            if (cuts > 0 && cutAfter >= 0 && cutAfter < body.length()) {
              cuts--;
              response
                  .write(body.slice(0, (int) cutAfter))
                  .onComplete(x -> request.connection().close());
            } else {
              response.end(body);
            }
          };
      if (delayMs > 0) {
        vertx.setTimer(delayMs, t -> send.run());
      } else {
        send.run();
      }
    } catch (Exception e) {
      request.response().setStatusCode(500).end();
    }
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
