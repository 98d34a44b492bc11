package dev.modelsync.api.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.ForwardingModel;
import dev.modelsync.api.engine.InferenceException;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.OnnxRuntimeLoader;
import dev.modelsync.api.engine.Tensor;
import dev.modelsync.api.http.ApiError;
import dev.modelsync.api.http.Inference;
import dev.modelsync.api.http.Services;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.api.metrics.VersionMeters;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.onnx.TypedModels;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: small requests run inline and read in one pass of the event loop run as one model run
 * of a real ONNX model, each still read, leased, counted and answered on its own. A pass is a task
 * on the context that submits several requests, as the event loop's reads of several ready
 * connections do.
 */
@ExtendWith(VertxExtension.class)
class InlineRunsTest {
  private static final long MAX_TENSOR_BYTES = 1 << 20;

  @TempDir Path dir;
  private ApiMetrics metrics;
  private Services host;
  private Context context;
  private final List<LoadedModel> loaded = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    metrics =
        new ApiMetrics("test", () -> 1, new ApiMetrics.OpenResources(() -> 0, () -> 0, () -> 0));
    host =
        new Services(
            null,
            null,
            metrics,
            () -> true,
            null, // every request here runs inline: none reaches the inference threads
            Optional.empty(),
            1 << 20,
            1000,
            null,
            MAX_TENSOR_BYTES,
            10_000,
            1 << 20,
            () -> null,
            Long.MAX_VALUE);
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() {
    loaded.forEach(LoadedModel::close);
    metrics.close();
  }

  @Test
  @DisplayName("five requests read in one pass are one model run of five rows, answered as alone")
  void onePassIsOneRun() throws Exception {
    Counted model = load("affine", OnnxModelWriter.affine(2));
    ServedVersion v = version(model, 1);
    List<Request> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(request(v, "FP32", i, 1, 2, 3));
    }
    long answeredInPass = pass(five);
    assertEquals(0, answeredInPass, "answered once the pass ends, not as each is read");
    assertEquals(List.of(5L), model.rows, "one run of five rows");
    for (int i = 0; i < 5; i++) {
      Request r = five.get(i);
      assertNull(r.failure);
      float sum = i + 6;
      assertArrayEquals(new float[] {2 * sum, 2 * (sum + 1), 2 * (sum + 2)}, r.values(), "" + i);
      Request alone = request(v, "FP32", i, 1, 2, 3);
      pass(List.of(alone));
      assertArrayEquals(alone.values(), r.values(), "request " + i + " alone and batched");
    }
    assertEquals(List.of(5L, 1L, 1L, 1L, 1L, 1L), model.rows);
    assertEquals(0, v.leases(), "every lease given back");
    assertEquals(0, metrics.inFlight().get());
    var stats = v.<VersionMeters>meters().stats().snapshot();
    assertEquals(6, stats.executionCount(), "model runs");
    assertEquals(10, stats.inferenceCount(), "rows answered");
  }

  @Test
  @DisplayName("a request with a wrong shape or datatype fails alone with a 400; the rest run")
  void badRequestFailsAlone() throws Exception {
    Counted model = load("affine", OnnxModelWriter.affine(2));
    ServedVersion v = version(model, 1);
    Request good1 = request(v, "FP32", 1, 1, 1, 1);
    Request wide = request(v, "FP32", 1, 1, 1, 1, 1);
    Request good2 = request(v, "FP32", 2, 2, 2, 2);
    Request ints = request(v, "INT32", 3, 3, 3, 3);
    Request good3 = request(v, "FP32", 0, 0, 0, 0);
    pass(List.of(good1, wide, good2, ints, good3));
    assertEquals(List.of(3L), model.rows, "the three good requests, in one run");
    assertArrayEquals(new float[] {8, 10, 12}, good1.values());
    assertArrayEquals(new float[] {16, 18, 20}, good2.values());
    assertArrayEquals(new float[] {0, 2, 4}, good3.values());
    for (Request bad : List.of(wide, ints)) {
      ApiError e = assertInstanceOf(ApiError.class, bad.failure);
      assertEquals(400, e.status(), e.getMessage());
      assertTrue(host.isClientError(e));
    }
    assertEquals(0, v.leases());
    assertEquals(0, metrics.inFlight().get());
  }

  @Test
  @DisplayName("when the batched run fails, each runs alone: only the request that broke it fails")
  void failedRunIsRetriedAlone() throws Exception {
    Counted model = load("lookup", TypedModels.lookup(10, 20, 30));
    ServedVersion v = version(model, 1);
    Request a = request(v, "FP32", 0, 1, 2, 1);
    Request outOfTable = request(v, "FP32", 0, 7, 1, 2);
    Request b = request(v, "FP32", 2, 2, 0, 0);
    pass(List.of(a, outOfTable, b));
    assertEquals(List.of(3L, 1L, 1L, 1L), model.rows, "the stacked run, then each alone");
    assertArrayEquals(new float[] {10, 20, 30, 20}, a.values());
    assertArrayEquals(new float[] {30, 30, 10, 10}, b.values());
    InferenceException e = assertInstanceOf(InferenceException.class, outOfTable.failure);
    assertTrue(e.getMessage().contains("out of data bounds"), e.getMessage());
    assertEquals(0, v.leases());
  }

  @Test
  @DisplayName("a request alone in its pass runs in it; a pass of 70 rows runs as 64 and 6")
  void aloneAndCapped() throws Exception {
    Counted model = load("affine", OnnxModelWriter.affine(1));
    ServedVersion v = version(model, 1);
    pass(List.of(request(v, "FP32", 1, 2, 3, 4)));
    assertEquals(List.of(1L), model.rows);
    List<Request> many = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      many.add(request(v, "FP32", i, 0, 0, 0));
    }
    pass(many);
    assertEquals(List.of(1L, (long) InlineRuns.MAX_ROWS, 6L), model.rows);
    for (int i = 0; i < 70; i++) {
      assertArrayEquals(new float[] {i, i + 1, i + 2}, many.get(i).values(), "" + i);
    }
  }

  @Test
  @DisplayName("requests to two versions in one pass run as one run per version")
  void versionsRunApart() throws Exception {
    Counted m2 = load("two", OnnxModelWriter.affine(2));
    Counted m3 = load("three", OnnxModelWriter.affine(3));
    ServedVersion v2 = version(m2, 2);
    ServedVersion v3 = version(m3, 3);
    List<Request> mixed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mixed.add(request(i % 2 == 0 ? v2 : v3, "FP32", i, 0, 0, 0));
    }
    pass(mixed);
    assertEquals(List.of(3L), m2.rows);
    assertEquals(List.of(2L), m3.rows);
    for (int i = 0; i < 5; i++) {
      float scale = i % 2 == 0 ? 2 : 3;
      assertArrayEquals(
          new float[] {scale * i, scale * (i + 1), scale * (i + 2)}, mixed.get(i).values());
    }
  }

  @Test
  @DisplayName("requests to a model that does not batch run at once, each alone")
  void notBatchingRunsAtOnce() throws Exception {
    Counted model = load("misdeclared", TypedModels.misdeclaredBatch());
    ServedVersion v = version(model, 1);
    List<Request> two = List.of(request(v, "FP32", 1, 1, 1, 1), request(v, "FP32", 2, 2, 2, 2));
    assertEquals(2, pass(two), "answered as each was read");
    assertEquals(List.of(1L, 1L), model.rows);
    assertArrayEquals(new float[] {1, 1, 1, 1}, two.get(0).values());
    assertArrayEquals(new float[] {2, 2, 2, 2}, two.get(1).values());
  }

  /**
   * Submits the requests in one task on the context, as one pass of reads; waits for their answers.
   *
   * @return how many were answered before the task ended
   */
  private long pass(List<Request> requests) throws Exception {
    AtomicLong answeredInPass = new AtomicLong(-1);
    CountDownLatch ended = new CountDownLatch(1);
    context.runOnContext(
        x -> {
          requests.forEach(InferenceJob::submit);
          answeredInPass.set(requests.stream().filter(r -> r.done.getCount() == 0).count());
          ended.countDown();
        });
    assertTrue(ended.await(10, TimeUnit.SECONDS), "the pass ended");
    for (Request r : requests) {
      assertTrue(r.done.await(10, TimeUnit.SECONDS), "answered");
    }
    return answeredInPass.get();
  }

  private Counted load(String name, byte[] onnx) throws Exception {
    Path d = dir.resolve(name);
    OnnxModelWriter.write(d.resolve("model.onnx"), onnx);
    Counted model = new Counted(new OnnxRuntimeLoader(1).load(name, d, null));
    loaded.add(model);
    return model;
  }

  /** A served version whose runs are measured as short: its small requests run inline. */
  private ServedVersion version(LoadedModel model, long number) {
    VersionMeters meters = metrics.version("m" + number, number);
    for (int i = 0; i < 16; i++) {
      meters.ran(1_000);
    }
    return new ServedVersion("m" + number, number, "digest", model, meters, Runnable::run);
  }

  /** A request of one row, admitted and leased as the protocols do before they submit it. */
  private Request request(ServedVersion v, String datatype, float... row) {
    assertTrue(v.tryAcquire());
    metrics.inFlight().incrementAndGet();
    return new Request(v, datatype, row);
  }

  /** One request for {@code input}, read with the check every protocol makes. */
  private final class Request extends InferenceJob {
    private final String datatype;
    private final float[] row;
    final CountDownLatch done = new CountDownLatch(1);
    volatile List<Tensor> answer;
    volatile Throwable failure;

    Request(ServedVersion v, String datatype, float[] row) {
      super(context, host, v);
      this.datatype = datatype;
      this.row = row;
    }

    @Override
    protected Parsed read(ServedVersion v) {
      long[] shape = {1, row.length};
      Inference.checkInput(v.loaded().inputs(), "input", datatype, shape, MAX_TENSOR_BYTES);
      return new Parsed(List.of(new Tensor("input", DataType.FP32, shape, row)), List.of(), null);
    }

    @Override
    protected void write(ServedVersion v, Parsed request, List<Tensor> outputs) {
      answer = outputs;
    }

    @Override
    protected long requestBytes() {
      return 4L * row.length;
    }

    @Override
    public void complete() {
      failure = settle(false);
      done.countDown();
    }

    float[] values() {
      assertNull(failure);
      return (float[]) answer.get(0).data();
    }
  }

  /** The model, with the rows of each of its runs. */
  private static final class Counted extends ForwardingModel {
    final List<Long> rows = new CopyOnWriteArrayList<>();

    Counted(LoadedModel model) {
      super(model);
    }

    @Override
    public List<Tensor> predict(List<Tensor> in, List<String> wanted) throws InferenceException {
      rows.add(in.get(0).shape()[0]);
      return model.predict(in, wanted);
    }
  }
}
