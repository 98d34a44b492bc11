package dev.modelsync.api.artifacts;

import dev.modelsync.api.ApiConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Chooses the artifact source a configuration asks for. */
public final class ArtifactSources {
  private ArtifactSources() {}

  /**
   * The store directory alone, or, with {@code MODELSYNC_ARTIFACT_BASE_URL}, HTTP fetches into the
   * cache for versions the store directory (if any) lacks.
   */
  public static ArtifactSource create(ApiConfig config, RemoteArtifacts.InUse inUse)
      throws IOException {
    Optional<LocalStore> local = config.storeDir().map(LocalStore::new);
    ApiConfig.Artifacts a = config.artifacts();
    if (a.baseUrl().isEmpty()) {
      return local.orElseThrow();
    }
    Path cache =
        a.cacheDir().isPresent()
            ? a.cacheDir().get()
            : Files.createTempDirectory("modelsync-cache");
    return new RemoteArtifacts(
        new RemoteArtifacts.Config(
            a.baseUrl().get(), a.token(), cache, a.cacheDir().isEmpty(), a.cacheMaxBytes()),
        local,
        inUse);
  }
}
