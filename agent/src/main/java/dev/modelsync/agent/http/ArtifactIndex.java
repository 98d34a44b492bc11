package dev.modelsync.agent.http;

import dev.modelsync.events.ArtifactPathException;
import dev.modelsync.events.ArtifactPaths;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of the versions the agent may serve, with their sizes and SHA-256. Only versions that
 * are complete in the store and saved (not deleted) are listed; a version never changes once in the
 * store, so its listing is taken from its {@code model.saved} event or computed once, and a store
 * copy whose digest differs from the one published is refused.
 */
public final class ArtifactIndex {
  /** Which versions are complete and saved: the digest published for them. */
  public interface Published {
    Optional<String> digest(String model, long version);
  }

  /** One version as served: {@code GET /artifacts/{model}/{version}}. */
  record Listing(String model, long version, String digest, List<FileEntry> files) {
    Optional<FileEntry> file(String path) {
      return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }
  }

  private final Path storeDir;
  private final Published published;
  private final Map<String, Listing> listings = new ConcurrentHashMap<>();

  public ArtifactIndex(Path storeDir, Published published) {
    this.storeDir = storeDir;
    this.published = published;
  }

  /** Takes a version's files from its event, so serving it needs no hashing. */
  public void remember(ModelSaved saved) {
    if (saved.files().stream().allMatch(f -> f.sha256() != null && f.sha256().length() == 64)) {
      listings.put(
          key(saved.model(), saved.version()),
          new Listing(saved.model(), saved.version(), saved.digest(), saved.files()));
    }
  }

  /** The store directory of a version, checked by the same rules consumers apply. */
  Path directory(String model, long version) throws ArtifactPathException {
    return ArtifactPaths.resolve(storeDir, model + "/" + version);
  }

  /**
   * The listing of a servable version, empty if there is none. Blocking on first use of a version
   * (it reads and hashes the files); run it off the event loop.
   *
   * @throws IOException if the store copy cannot be read or differs from the published digest
   */
  Optional<Listing> listing(String model, long version) throws IOException {
    Optional<String> digest = published.digest(model, version);
    if (digest.isEmpty()) {
      return Optional.empty();
    }
    String key = key(model, version);
    Listing known = listings.get(key);
    if (known != null && known.digest().equals(digest.get())) {
      return Optional.of(known);
    }
    Path dir;
    try {
      dir = directory(model, version);
    } catch (ArtifactPathException e) {
      return Optional.empty();
    }
    Listing computed = compute(model, version, dir);
    if (!computed.digest().equals(digest.get())) {
      throw new IOException(
          "the store copy of "
              + model
              + " version "
              + version
              + " has digest "
              + computed.digest()
              + ", published was "
              + digest.get());
    }
    listings.put(key, computed);
    return Optional.of(computed);
  }

  /** Lists and hashes a version directory in one pass over its files. */
  static Listing compute(String model, long version, Path dir) throws IOException {
    MessageDigest tree = Digests.sha256();
    List<FileEntry> files = new ArrayList<>();
    byte[] buffer = new byte[1 << 16];
    for (String name : Digests.listFiles(dir)) {
      Path file = dir.resolve(name);
      long size = Files.size(file);
      Digests.fileHeader(tree, name, size);
      MessageDigest sha = Digests.sha256();
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          sha.update(buffer, 0, n);
          tree.update(buffer, 0, n);
        }
      }
      files.add(new FileEntry(name, size, HexFormat.of().formatHex(sha.digest())));
    }
    return new Listing(model, version, Digests.text(tree), files);
  }

  private static String key(String model, long version) {
    return model + "/" + version;
  }
}
