package dev.modelsync.api.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.events.Digests;
import dev.modelsync.events.Json;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.events.ObjectLocation;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.s3.S3Calls;
import dev.modelsync.testkit.s3.S3Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** The bucket source against a real S3 server: the same guarantees as the HTTP source. */
class BucketArtifactsTest {
  private static final Downloader.Retry FAST = new Downloader.Retry(3, 20, 100, 2_000, 2_000);
  private static final long LIMIT = 1L << 30;
  private static S3Proxy s3;
  private static S3Client client;

  @TempDir Path store;
  @TempDir Path cache;

  @BeforeAll
  static void startS3() {
    s3 = S3Proxy.onFreePort().start().createBucket("models");
    client = s3.client();
  }

  @AfterAll
  static void stopS3() {
    client.close();
    s3.close();
  }

  private static BucketConfig config(String prefix) {
    return new BucketConfig("models", Optional.of(s3.endpoint()), "us-east-1", true, prefix);
  }

  /** A version of two files written to the store directory; its event names no location yet. */
  private ModelSaved version(String model, long version, byte[] onnx) throws Exception {
    return StoreVersions.write(store, model, version, onnx);
  }

  /** Puts the files as the agent does; the manifest object last unless {@code manifest} is off. */
  private ModelSaved upload(ModelSaved saved, BucketConfig config, boolean manifest)
      throws Exception {
    ObjectLocation location = config.location(saved.model(), saved.version());
    Path dir = store.resolve(saved.artifact());
    for (FileEntry f : saved.files()) {
      put(location.key(f.path()), Files.readAllBytes(dir.resolve(f.path())));
    }
    if (manifest) {
      put(location.manifestKey(), Json.newMapper().writeValueAsBytes(saved));
    }
    return saved.withObjectLocation(location.toString());
  }

  private static void put(String key, byte[] bytes) {
    client.putObject(
        PutObjectRequest.builder().bucket("models").key(key).build(), RequestBody.fromBytes(bytes));
  }

  private RemoteArtifacts source(S3Client s3, String prefix) throws Exception {
    return new RemoteArtifacts(
        new RemoteArtifacts.Cache(cache, false, LIMIT),
        List.of(new BucketTransport(s3, config(prefix))),
        FAST,
        Optional.empty(),
        (m, v) -> true,
        0);
  }

  private List<String> cacheEntries() throws Exception {
    try (Stream<Path> walk = Files.walk(cache, 2)) {
      return walk.filter(p -> p.getNameCount() - cache.getNameCount() == 2)
          .map(p -> cache.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  @DisplayName("a version is fetched from the bucket into <cache>/<model>/<version>, verified")
  void fetches() throws Exception {
    byte[] onnx = OnnxModelWriter.withHiddenLayer(5_000, 1);
    ModelSaved saved = upload(version("m", 1, onnx), config("f/"), true);
    S3Calls calls = new S3Calls(s3.client()); // the source closes it
    try (RemoteArtifacts source = source(calls.client, "f/")) {
      Path dir = source.fetch(saved);
      assertEquals(cache.resolve("m/1"), dir);
      assertArrayEquals(onnx, Files.readAllBytes(dir.resolve("model.onnx")));
      assertEquals(saved.digest(), Digests.ofDirectory(dir));
      assertEquals(
          List.of(
              "get f/m/1/.modelsync-manifest.json",
              "get f/m/1/extra/notes.txt",
              "get f/m/1/model.onnx"),
          calls.calls);
      assertEquals(dir, source.fetch(saved));
      assertEquals(3, calls.calls.size(), "the cached copy is used");
    }
  }

  @Test
  @DisplayName("concurrent loads of one version fetch it from the bucket once")
  void concurrentLoadsFetchOnce() throws Exception {
    ModelSaved saved =
        upload(version("m", 1, OnnxModelWriter.withHiddenLayer(20_000, 2)), config("c/"), true);
    S3Calls calls = new S3Calls(s3.client()); // the source closes it
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (RemoteArtifacts source = source(calls.client, "c/")) {
      List<Future<Path>> loads = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        loads.add(pool.submit(() -> source.fetch(saved)));
      }
      for (Future<Path> load : loads) {
        assertEquals(cache.resolve("m/1"), load.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, calls.count("get", "c/m/1/model.onnx"), () -> "calls: " + calls.calls);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("a tampered object is refused and nothing of it stays; the version before stays")
  void tamperedRefused() throws Exception {
    ModelSaved v1 = upload(version("m", 1, OnnxModelWriter.affine(2f)), config("t/"), true);
    ModelSaved v2 = upload(version("m", 2, OnnxModelWriter.affine(5f)), config("t/"), true);
    byte[] tampered = OnnxModelWriter.affine(5f);
    tampered[tampered.length - 1] ^= 1;
    put("t/m/2/model.onnx", tampered);
    try (RemoteArtifacts source = source(s3.client(), "t/")) {
      Path one = source.fetch(v1);
      ModelLoadException e = assertThrows(ModelLoadException.class, () -> source.fetch(v2));
      assertTrue(e.getMessage().contains("sha256 mismatch for model.onnx"), e.getMessage());
      assertEquals(List.of("m/1"), cacheEntries(), "no partial download is left");
      assertEquals(v1.digest(), Digests.ofDirectory(one));
    }
  }

  @Test
  @DisplayName("a version whose manifest object is missing (a partial upload) is not fetched")
  void partialUploadRefused() throws Exception {
    ModelSaved partial = upload(version("m", 1, OnnxModelWriter.affine(2f)), config("p/"), false);
    S3Calls calls = new S3Calls(s3.client()); // the source closes it
    try (RemoteArtifacts source = source(calls.client, "p/")) {
      ModelLoadException e = assertThrows(ModelLoadException.class, () -> source.fetch(partial));
      assertTrue(e.getMessage().contains("the upload is not complete"), e.getMessage());
      assertTrue(
          calls.calls.stream().allMatch(c -> c.endsWith(ObjectLocation.MANIFEST)),
          () -> "only the manifest is asked for: " + calls.calls);
      assertEquals(List.of(), cacheEntries());
    }
  }

  @Test
  @DisplayName("an event naming another bucket or prefix than this replica's is refused")
  void foreignLocationRefused() throws Exception {
    ModelSaved saved = upload(version("m", 1, OnnxModelWriter.affine(2f)), config("x/"), true);
    try (RemoteArtifacts source = source(s3.client(), "y/")) {
      ModelLoadException e = assertThrows(ModelLoadException.class, () -> source.fetch(saved));
      assertTrue(e.getMessage().contains("MODELSYNC_S3_BUCKET"), e.getMessage());
    }
  }

  @Test
  @DisplayName("past the cache limit, a version no longer in use is evicted")
  void evicts() throws Exception {
    ModelSaved v1 =
        upload(version("m", 1, OnnxModelWriter.withHiddenLayer(5_000, 1)), config("e/"), true);
    ModelSaved v2 =
        upload(version("m", 2, OnnxModelWriter.withHiddenLayer(5_000, 2)), config("e/"), true);
    long limit = v1.size() + v1.size() / 2;
    try (RemoteArtifacts source =
        new RemoteArtifacts(
            new RemoteArtifacts.Cache(cache, false, limit),
            List.of(new BucketTransport(s3.client(), config("e/"))),
            FAST,
            Optional.empty(),
            (m, v) -> v == 2,
            0)) {
      source.fetch(v1);
      source.fetch(v2);
      assertEquals(List.of("m/2"), cacheEntries());
    }
  }
}
