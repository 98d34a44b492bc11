package dev.modelsync.api.artifacts;

import dev.modelsync.api.ApiConfig;
import dev.modelsync.config.BucketClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the artifact sources a configuration asks for, in this order: the store directory ({@code
 * MODELSYNC_STORE_DIR}) when it holds the version; the bucket ({@code MODELSYNC_S3_BUCKET}) when
 * the event names an object location; the agent over HTTP ({@code MODELSYNC_ARTIFACT_BASE_URL}).
 * The bucket and HTTP share one cache, one in-flight table and one eviction.
 */
public final class ArtifactSources {
  private ArtifactSources() {}

  public static ArtifactSource create(ApiConfig config, RemoteArtifacts.InUse inUse)
      throws IOException {
    Optional<LocalStore> local = config.storeDir().map(LocalStore::new);
    ApiConfig.Artifacts a = config.artifacts();
    if (a.baseUrl().isEmpty() && a.bucket().isEmpty()) {
      return local.orElseThrow();
    }
    Path cache =
        a.cacheDir().isPresent()
            ? a.cacheDir().get()
            : Files.createTempDirectory("modelsync-cache");
    List<Transport> transports = new ArrayList<>();
    a.bucket().ifPresent(b -> transports.add(new BucketTransport(BucketClients.create(b), b)));
    a.baseUrl()
        .ifPresent(
            url -> transports.add(new HttpTransport(url, a.token(), Downloader.Retry.DEFAULT)));
    return new RemoteArtifacts(
        new RemoteArtifacts.Cache(cache, a.cacheDir().isEmpty(), a.cacheMaxBytes()),
        transports,
        Downloader.Retry.DEFAULT,
        local,
        inUse,
        60_000);
  }
}
