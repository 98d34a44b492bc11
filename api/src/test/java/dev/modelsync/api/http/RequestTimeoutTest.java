package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RequestTimeoutTest {
  @Test
  @DisplayName("a request whose body arrived but is not answered in time gets a 503 JSON error")
  void unansweredIs503(Vertx vertx) throws Exception {
    RequestTimeout timeout = new RequestTimeout(vertx, 300);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  timeout.arm(req);
                  req.body(); // read the body, then never answer: a stuck inference
                })
            .listen(0)
            .await(10, TimeUnit.SECONDS);
    long started = System.nanoTime();
    var r =
        WebClient.create(vertx)
            .post(server.actualPort(), "127.0.0.1", "/v2/models/m/infer")
            .sendBuffer(Buffer.buffer("{}"))
            .await(10, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, r.statusCode());
    assertEquals("application/json", r.getHeader("content-type"));
    assertTrue(
        r.bodyAsJsonObject().getString("error").contains("not answered within 300 ms"),
        r.bodyAsString());
    assertTrue(ms >= 250, "answered after " + ms + " ms");
  }

  @Test
  @DisplayName(
      "a request answered in time keeps its answer, and its deadline passing later throws nothing")
  void answeredInTime(Vertx vertx) throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(errors::add);
    RequestTimeout timeout = new RequestTimeout(vertx, 200);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  timeout.arm(req);
                  if (req.path().equals("/stuck")) {
                    req.body(); // never answered
                  } else {
                    req.body().onSuccess(b -> req.response().end("ok"));
                  }
                })
            .listen(0)
            .await(10, TimeUnit.SECONDS);
    var client = WebClient.create(vertx);
    for (int i = 0; i < 3; i++) {
      var r =
          client
              .post(server.actualPort(), "127.0.0.1", "/")
              .sendBuffer(Buffer.buffer("{}"))
              .await(10, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      assertEquals("ok", r.bodyAsString());
    }
    // Armed after the three, so its 503 shows a sweep has run past all their deadlines: had it
    // answered a closed exchange, the error would be on the event loop by now.
    var stuck =
        client
            .post(server.actualPort(), "127.0.0.1", "/stuck")
            .sendBuffer(Buffer.buffer("{}"))
            .await(10, TimeUnit.SECONDS);
    assertEquals(503, stuck.statusCode(), stuck.bodyAsString());
    assertEquals(List.of(), errors, "exceptions on the event loop");
  }
}
