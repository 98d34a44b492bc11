package dev.modelsync.api.artifacts;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.config.ArtifactToken;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.files.Trees;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versions fetched into a local cache, {@code <cache>/<model>/<version>/}, from the agent over HTTP
 * or from a bucket ({@link Transport}: the first that serves a version fetches it). A download goes
 * to {@code <cache>/<model>/<version>.partial-<uuid>/} and is renamed into place only after every
 * file's SHA-256 and the version digest check out, so a partial download is never returned. A
 * version the local store holds (a shared volume) is read there instead. Fetches of the same
 * version at the same time happen once; past the size limit, cached versions this replica no longer
 * serves are evicted, least recently used first.
 */
public final class RemoteArtifacts implements ArtifactSource {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteArtifacts.class);
  static final String PARTIAL = ".partial-";

  /** Which versions this replica still holds loaded: the catalog's view. */
  public interface InUse {
    boolean holds(String model, long version);
  }

  /**
   * What the source is configured with.
   *
   * @param baseUrl the agent, such as {@code http://modelsync-agent:8081}
   * @param token sent as a bearer token when present
   * @param cacheDir where versions are downloaded to
   * @param ownsCacheDir remove the cache directory on {@link #close()} (a temporary one)
   * @param maxBytes size the cache is trimmed to after each fetch
   */
  public record Config(
      URI baseUrl,
      Optional<ArtifactToken> token,
      Path cacheDir,
      boolean ownsCacheDir,
      long maxBytes) {
    Cache cache() {
      return new Cache(cacheDir, ownsCacheDir, maxBytes);
    }
  }

  /**
   * The cache alone.
   *
   * @param dir where versions are downloaded to
   * @param owned remove the directory on {@link #close()} (a temporary one)
   * @param maxBytes size the cache is trimmed to after each fetch
   */
  public record Cache(Path dir, boolean owned, long maxBytes) {}

  private final Cache cache;
  private final List<Transport> transports;
  private final Optional<LocalStore> local;
  private final Downloader downloader;
  private final CacheEviction eviction;
  private final Map<String, CompletableFuture<Path>> inFlight = new ConcurrentHashMap<>();

  /** From the agent over HTTP alone. */
  public RemoteArtifacts(Config config, Optional<LocalStore> local, InUse inUse)
      throws IOException {
    this(config, local, inUse, Downloader.Retry.DEFAULT, 60_000);
  }

  RemoteArtifacts(
      Config config,
      Optional<LocalStore> local,
      InUse inUse,
      Downloader.Retry retry,
      long evictGraceMs)
      throws IOException {
    this(
        config.cache(),
        List.of(new HttpTransport(config.baseUrl(), config.token(), retry)),
        retry,
        local,
        inUse,
        evictGraceMs);
  }

  /** From the transports, the first that serves a version fetching it. */
  RemoteArtifacts(
      Cache cache,
      List<Transport> transports,
      Downloader.Retry retry,
      Optional<LocalStore> local,
      InUse inUse,
      long evictGraceMs)
      throws IOException {
    this.cache = cache;
    this.transports = List.copyOf(transports);
    this.local = local;
    this.downloader = new Downloader(transports, retry);
    Files.createDirectories(cache.dir());
    this.eviction =
        new CacheEviction(
            cache.dir(), cache.maxBytes(), inUse, key -> inFlight.containsKey(key), evictGraceMs);
    removePartials();
  }

  @Override
  public Path fetch(ModelSaved saved) throws ModelLoadException {
    if (local.isPresent() && local.get().holds(saved)) {
      return local.get().fetch(saved);
    }
    String key = CacheEviction.key(saved.model(), saved.version());
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      LOG.debug("Waiting for the fetch of {} version {} under way", saved.model(), saved.version());
      Path dir = await(running);
      if (verified(dir, saved)) {
        return dir;
      }
      return fetch(saved); // that fetch was of another digest: fetch this one
    }
    try {
      Path dir = fetchNow(saved);
      mine.complete(dir);
      return dir;
    } catch (ModelLoadException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
      eviction.trim(key);
    }
  }

  private Path fetchNow(ModelSaved saved) throws ModelLoadException {
    Path modelDir = cache.dir().resolve(saved.model());
    Path target = modelDir.resolve(Long.toString(saved.version()));
    if (Files.isDirectory(target)) {
      if (verified(target, saved)) {
        touch(target);
        LOG.info("Using cached {} version {} ({})", saved.model(), saved.version(), saved.digest());
        return target;
      }
      LOG.info(
          "Cached {} version {} has another digest; fetching again",
          saved.model(),
          saved.version());
      Trees.delete(target);
    }
    Path partial = modelDir.resolve(saved.version() + PARTIAL + UUID.randomUUID());
    long started = System.nanoTime();
    try {
      Files.createDirectories(partial);
      Transport transport = downloader.transportFor(saved);
      downloader.download(saved, partial);
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // another process put it there meanwhile (a cache shared against the advice)
        Trees.delete(partial);
        if (!verified(target, saved)) {
          throw new ModelLoadException("cache entry " + target + " appeared with another digest");
        }
      }
      touch(target);
      LOG.info(
          "Fetched {} version {} ({}, {} bytes) from {} in {} ms",
          saved.model(),
          saved.version(),
          saved.digest(),
          saved.size(),
          transport,
          (System.nanoTime() - started) / 1_000_000);
      return target;
    } catch (IOException e) {
      Trees.delete(partial);
      throw new ModelLoadException(
          "cannot fetch " + saved.model() + " version " + saved.version() + ": " + e.getMessage(),
          e);
    }
  }

  private static boolean verified(Path dir, ModelSaved saved) {
    try {
      return Files.isDirectory(dir) && Digests.ofDirectory(dir).equals(saved.digest());
    } catch (IOException e) {
      return false;
    }
  }

  private static Path await(CompletableFuture<Path> running) throws ModelLoadException {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelLoadException("interrupted while waiting for a fetch", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ModelLoadException m) {
        throw m;
      }
      throw new ModelLoadException(String.valueOf(e.getCause()), e.getCause());
    }
  }

  private static void touch(Path dir) {
    try {
      Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      // only the eviction order suffers
    }
  }

  /** Downloads a previous run left unfinished; the cache directory belongs to this replica. */
  private void removePartials() throws IOException {
    try (DirectoryStream<Path> models = Files.newDirectoryStream(cache.dir(), Files::isDirectory)) {
      for (Path model : models) {
        try (DirectoryStream<Path> partials =
            Files.newDirectoryStream(model, "*" + PARTIAL + "*")) {
          for (Path partial : partials) {
            LOG.info("Removing unfinished download {}", partial);
            Trees.delete(partial);
          }
        }
      }
    }
  }

  @Override
  public void close() {
    transports.forEach(Transport::close);
    if (cache.owned()) {
      Trees.delete(cache.dir());
    }
  }

  @Override
  public String toString() {
    return transports
        + " into "
        + cache.dir()
        + local.map(l -> " (else " + l + ")").map(s -> ", " + s).orElse("");
  }
}
