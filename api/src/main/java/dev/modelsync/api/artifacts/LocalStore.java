package dev.modelsync.api.artifacts;

import dev.modelsync.api.engine.ModelLoadException;
import dev.modelsync.events.ArtifactPathException;
import dev.modelsync.events.ArtifactPaths;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The store directory the agent writes, read in place (a volume shared with the agent): the event's
 * artifact is resolved with {@link ArtifactPaths} (nothing outside the store) and the directory's
 * digest must equal the event's.
 */
public final class LocalStore implements ArtifactSource {
  private final Path storeRoot;

  public LocalStore(Path storeRoot) {
    this.storeRoot = storeRoot;
  }

  /** Whether the store has a directory for the event's artifact (complete or not). */
  boolean holds(ModelSaved saved) {
    try {
      ArtifactPaths.resolve(storeRoot, saved.artifact());
      return true;
    } catch (ArtifactPathException e) {
      return false;
    }
  }

  @Override
  public Path fetch(ModelSaved saved) throws ModelLoadException {
    Path dir;
    try {
      dir = ArtifactPaths.resolve(storeRoot, saved);
    } catch (ArtifactPathException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
    String actual;
    try {
      actual = Digests.ofDirectory(dir);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    if (!actual.equals(saved.digest())) {
      throw new ModelLoadException(
          "digest mismatch: the store has " + actual + ", the event says " + saved.digest());
    }
    return dir;
  }

  @Override
  public String toString() {
    return "store " + storeRoot;
  }
}
