package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.ModelLoader;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.events.Digests;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 16: one stacked model run holds at most MODELSYNC_MAX_TENSOR_BYTES of inputs. */
@ExtendWith(HarnessExtension.class)
class BatchCapTest {
  static final int COLUMNS = 256; // one row = 1 KiB of FP32
  static final AtomicLong mostRows = new AtomicLong();

  @Test
  @DisplayName(
      "32 one-row requests queued behind a slow run stack at most 4 KiB (4 rows) at a time")
  void stacksWithinTheTensorCap(Harness h) throws Exception {
    Path dir = h.store.resolve("wide/1");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("model.count"), "counting");
    Map<String, String> env =
        Map.of("MODELSYNC_INFER_THREADS", "1", "MODELSYNC_MAX_TENSOR_BYTES", "4096");
    Api api =
        Api.start(h.vertx, h.config(env), List.of(new CountingLoader()))
            .await(30, TimeUnit.SECONDS);
    try {
      h.publish(
          new ModelSaved(
              "wide",
              1,
              Digests.ofDirectory(dir),
              8,
              "Counting",
              List.of(new ModelSaved.FileEntry("model.count", 8, "")),
              "wide/1",
              new Manifest("Counting", "model.count", null, null, null, null, null, null),
              Instant.now(),
              null));
      Harness.eventually("wide loaded", () -> infer(h, api).statusCode() == 200);
      // 32 connections at once (the default pool holds 5), so requests queue behind a run
      WebClient client =
          WebClient.create(
              h.vertx,
              new WebClientOptions(),
              new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
      List<Future<?>> all = new ArrayList<>();
      JsonArray row = new JsonArray();
      for (int i = 0; i < COLUMNS; i++) {
        row.add(1f);
      }
      String body =
          new JsonObject()
              .put(
                  "inputs",
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("name", "input")
                              .put("shape", new JsonArray().add(1).add(COLUMNS))
                              .put("datatype", "FP32")
                              .put("data", row)))
              .encode();
      for (int i = 0; i < 32; i++) {
        all.add(
            client
                .post(api.httpPort(), "127.0.0.1", "/v2/models/wide/infer")
                .sendBuffer(Buffer.buffer(body))
                .map(r -> assertOk(r.statusCode(), r.bodyAsString())));
      }
      Future.all(all).await(60, TimeUnit.SECONDS);
      client.close();
      assertTrue(mostRows.get() <= 4, "a stacked run held " + mostRows.get() + " rows");
    } finally {
      api.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Object assertOk(int status, String body) {
    assertEquals(200, status, body);
    return null;
  }

  private static io.vertx.ext.web.client.HttpResponse<Buffer> infer(Harness h, Api api) {
    try {
      JsonArray row = new JsonArray();
      for (int i = 0; i < COLUMNS; i++) {
        row.add(0f);
      }
      return h.post(
          api,
          "/v2/models/wide/infer",
          new JsonObject()
              .put(
                  "inputs",
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("name", "input")
                              .put("shape", new JsonArray().add(1).add(COLUMNS))
                              .put("datatype", "FP32")
                              .put("data", row))));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A batchable model that notes the most rows one run got, and takes 50 ms per run. */
  static final class CountingLoader implements ModelLoader {
    @Override
    public String engine() {
      return "Counting";
    }

    @Override
    public Set<String> extensions() {
      return Set.of("count");
    }

    @Override
    public LoadedModel load(String name, Path dir, Manifest manifest) {
      return new LoadedModel() {
        @Override
        public String platform() {
          return "counting";
        }

        @Override
        public List<TensorInfo> inputs() {
          return List.of(new TensorInfo("input", "FP32", new long[] {-1, COLUMNS}));
        }

        @Override
        public List<TensorInfo> outputs() {
          return List.of(new TensorInfo("output", "FP32", new long[] {-1, 1}));
        }

        @Override
        public List<Tensor> predict(List<Tensor> in, List<String> outputs) {
          long rows = in.get(0).shape()[0];
          mostRows.accumulateAndGet(rows, Math::max);
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return List.of(
              new Tensor("output", DataType.FP32, new long[] {rows, 1}, new float[(int) rows]));
        }

        @Override
        public void close() {}
      };
    }
  }
}
