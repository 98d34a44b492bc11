package dev.modelsync.api.artifacts;

import dev.modelsync.files.Trees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the download cache under its size limit: once the complete versions in it add up to more
 * than the limit, versions the catalog no longer holds and no fetch is using are removed, least
 * recently used (fetched or reused) first. Versions in use stay even past the limit.
 */
final class CacheEviction {
  private static final Logger LOG = LoggerFactory.getLogger(CacheEviction.class);

  private record Cached(String model, long version, Path dir, long bytes, long usedAt) {}

  private final Path cacheDir;
  private final long maxBytes;
  private final RemoteArtifacts.InUse inUse;
  private final Predicate<String> fetching;
  private final long graceMs;

  /**
   * @param graceMs versions used this recently stay: one handed to the loader is not in the catalog
   *     until its load finishes
   */
  CacheEviction(
      Path cacheDir,
      long maxBytes,
      RemoteArtifacts.InUse inUse,
      Predicate<String> fetching,
      long graceMs) {
    this.cacheDir = cacheDir;
    this.maxBytes = maxBytes;
    this.inUse = inUse;
    this.fetching = fetching;
    this.graceMs = graceMs;
  }

  static String key(String model, long version) {
    return model + "/" + version;
  }

  /** Evicts until the cache fits; {@code justFetched} is kept (it is about to load). */
  synchronized void trim(String justFetched) {
    List<Cached> cached;
    try {
      cached = list();
    } catch (IOException e) {
      LOG.warn("Cannot list the artifact cache {}: {}", cacheDir, e.toString());
      return;
    }
    long total = cached.stream().mapToLong(Cached::bytes).sum();
    if (total <= maxBytes) {
      return;
    }
    cached.sort(Comparator.comparingLong(Cached::usedAt));
    long recent = System.currentTimeMillis() - graceMs;
    for (Cached c : cached) {
      if (total <= maxBytes) {
        break;
      }
      String key = key(c.model(), c.version());
      if (key.equals(justFetched)
          || c.usedAt() > recent
          || fetching.test(key)
          || inUse.holds(c.model(), c.version())) {
        continue;
      }
      Trees.delete(c.dir());
      total -= c.bytes();
      LOG.info(
          "Evicted {} version {} ({} bytes) from the artifact cache; {} bytes remain",
          c.model(),
          c.version(),
          c.bytes(),
          total);
    }
    if (total > maxBytes) {
      LOG.warn(
          "The artifact cache holds {} bytes, over its limit of {}: every version in it is in use",
          total,
          maxBytes);
    }
  }

  /** The complete versions in the cache: {@code <model>/<version>} directories. */
  private List<Cached> list() throws IOException {
    List<Cached> out = new ArrayList<>();
    try (DirectoryStream<Path> models = Files.newDirectoryStream(cacheDir, Files::isDirectory)) {
      for (Path model : models) {
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(model, Files::isDirectory)) {
          for (Path dir : versions) {
            String name = dir.getFileName().toString();
            if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
              out.add(
                  new Cached(
                      model.getFileName().toString(),
                      Long.parseLong(name),
                      dir,
                      bytes(dir),
                      Files.getLastModifiedTime(dir).toMillis()));
            }
          }
        }
      }
    }
    return out;
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      long total = 0;
      for (Path p : walk.toList()) {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        total += a.isRegularFile() ? a.size() : 0;
      }
      return total;
    }
  }
}
