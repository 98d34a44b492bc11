package dev.modelsync.api.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.onnx.OnnxModelWriter;
import io.vertx.core.Vertx;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteArtifactsTest {
  private static final Downloader.Retry FAST = new Downloader.Retry(4, 20, 100, 2_000, 2_000);
  private static final long LIMIT = 1L << 30;

  @TempDir Path store;
  @TempDir Path cache;
  private Vertx vertx;
  private FakeAgent agent;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    agent = new FakeAgent(vertx, store);
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Writes a version into the fake agent's directory and returns its event. */
  private ModelSaved version(String model, long version, byte[] onnx) throws Exception {
    return StoreVersions.write(store, model, version, onnx);
  }

  private RemoteArtifacts source(long maxBytes, RemoteArtifacts.InUse inUse) throws Exception {
    return new RemoteArtifacts(
        new RemoteArtifacts.Config(agent.url(), Optional.empty(), cache, false, maxBytes),
        Optional.empty(),
        inUse,
        FAST,
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
  @DisplayName("a version is fetched into <cache>/<model>/<version>, verified, and reused")
  void fetchesAndReuses() throws Exception {
    byte[] onnx = OnnxModelWriter.withHiddenLayer(5_000, 1);
    ModelSaved saved = version("m", 1, onnx);
    try (RemoteArtifacts source = source(LIMIT, (m, v) -> true)) {
      Path dir = source.fetch(saved);
      assertEquals(cache.resolve("m/1"), dir);
      assertArrayEquals(onnx, Files.readAllBytes(dir.resolve("model.onnx")));
      assertEquals(saved.digest(), Digests.ofDirectory(dir));
      assertEquals(List.of("m/1"), cacheEntries());
      long requests = agent.fileRequests();
      assertEquals(2, requests);
      assertEquals(dir, source.fetch(saved));
      assertEquals(requests, agent.fileRequests(), "the cached copy is used");
    }
  }

  @Test
  @DisplayName("a broken connection resumes with Range from the byte it stopped at")
  void resumes() throws Exception {
    byte[] onnx = OnnxModelWriter.withHiddenLayer(20_000, 2);
    ModelSaved saved = version("m", 1, onnx);
    agent.cutAfter = 100_000;
    agent.cuts = 2;
    try (RemoteArtifacts source = source(LIMIT, (m, v) -> true)) {
      Path dir = source.fetch(saved);
      assertArrayEquals(onnx, Files.readAllBytes(dir.resolve("model.onnx")));
      assertTrue(agent.ranges.contains("bytes=100000-"), agent.ranges.toString());
      assertTrue(agent.ranges.contains("bytes=200000-"), agent.ranges.toString());
    }
  }

  @Test
  @DisplayName("a server that ignores Range still gives a correct file")
  void rangeIgnored() throws Exception {
    byte[] onnx = OnnxModelWriter.withHiddenLayer(20_000, 3);
    ModelSaved saved = version("m", 1, onnx);
    agent.cutAfter = 50_000;
    agent.cuts = 1;
    agent.ignoreRanges = true;
    try (RemoteArtifacts source = source(LIMIT, (m, v) -> true)) {
      assertArrayEquals(onnx, Files.readAllBytes(source.fetch(saved).resolve("model.onnx")));
    }
  }

  @Test
  @DisplayName("a download that never completes fails and leaves no version and no partial copy")
  void partialNeverReturned() throws Exception {
    ModelSaved saved = version("m", 1, OnnxModelWriter.withHiddenLayer(20_000, 4));
    agent.cutAfter = 0;
    agent.cuts = Integer.MAX_VALUE;
    try (RemoteArtifacts source = source(LIMIT, (m, v) -> true)) {
      ModelLoadException e = assertThrows(ModelLoadException.class, () -> source.fetch(saved));
      assertTrue(e.getMessage().contains("giving up"), e.getMessage());
      assertEquals(List.of(), cacheEntries());
    }
  }

  @Test
  @DisplayName("bytes that differ from the event are refused: file sha256 and version digest")
  void mismatchRefused() throws Exception {
    ModelSaved saved = version("m", 1, OnnxModelWriter.affine(2f));
    agent.corrupt = true;
    try (RemoteArtifacts source = source(LIMIT, (m, v) -> true)) {
      ModelLoadException e = assertThrows(ModelLoadException.class, () -> source.fetch(saved));
      assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
      agent.corrupt = false;
      ModelSaved lying =
          new ModelSaved(
              "m",
              1,
              Digests.PREFIX + "0".repeat(64),
              saved.size(),
              saved.engine(),
              saved.files(),
              saved.artifact(),
              saved.manifest(),
              saved.savedAt(),
              null);
      e = assertThrows(ModelLoadException.class, () -> source.fetch(lying));
      assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
      assertEquals(List.of(), cacheEntries());
    }
  }

  @Test
  @DisplayName("concurrent fetches of one version download it once")
  void onceForConcurrentFetches() throws Exception {
    ModelSaved saved = version("m", 1, OnnxModelWriter.withHiddenLayer(5_000, 5));
    agent.delayMs = 300;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (RemoteArtifacts source = source(LIMIT, (m, v) -> true)) {
      List<Future<Path>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(pool.submit(() -> source.fetch(saved)));
      }
      for (Future<Path> f : all) {
        assertEquals(cache.resolve("m/1"), f.get(20, TimeUnit.SECONDS));
      }
      assertEquals(2, agent.fileRequests(), agent.requests.toString());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("past the size limit, versions the catalog no longer holds are evicted")
  void evicts() throws Exception {
    byte[] onnx = OnnxModelWriter.withHiddenLayer(5_000, 6);
    ModelSaved v1 = version("m", 1, onnx);
    ModelSaved v2 = version("m", 2, onnx);
    ModelSaved v3 = version("m", 3, onnx);
    List<Long> held = new ArrayList<>(List.of(1L));
    try (RemoteArtifacts source = source(onnx.length * 2L + 100, (m, v) -> held.contains(v))) {
      source.fetch(v1);
      source.fetch(v2);
      held.add(2L);
      assertEquals(List.of("m/1", "m/2"), cacheEntries());
      held.remove(1L);
      source.fetch(v3);
      assertEquals(List.of("m/2", "m/3"), cacheEntries(), "v1 is no longer served");
    }
  }

  @Test
  @DisplayName(
      "a version the local store holds is read in place, others are fetched with the token")
  void localFirstAndToken(@TempDir Path shared) throws Exception {
    ModelSaved local = version("m", 1, OnnxModelWriter.affine(3f));
    ModelSaved remote = version("other", 1, OnnxModelWriter.affine(4f));
    Path copy = Files.createDirectories(shared.resolve("m/1"));
    for (FileEntry f : local.files()) {
      Files.createDirectories(copy.resolve(f.path()).getParent());
      Files.copy(store.resolve("m/1").resolve(f.path()), copy.resolve(f.path()));
    }
    ArtifactToken token = ArtifactToken.of("artifact-token-for-tests");
    Path owned = cache.resolve("owned");
    try (RemoteArtifacts source =
        new RemoteArtifacts(
            new RemoteArtifacts.Config(agent.url(), Optional.of(token), owned, true, LIMIT),
            Optional.of(new LocalStore(shared)),
            (m, v) -> true,
            FAST,
            0)) {
      assertEquals(copy.toRealPath(), source.fetch(local));
      assertEquals(0, agent.fileRequests());
      assertEquals(owned.resolve("other/1"), source.fetch(remote));
      assertEquals(2, agent.fileRequests());
    }
    assertFalse(Files.exists(owned), "a cache the source made is removed on close");
    assertTrue(agent.authorizations.stream().allMatch(token.authorization()::equals));
  }
}
