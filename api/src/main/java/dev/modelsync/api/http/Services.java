package dev.modelsync.api.http;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.deploy.RepositoryAdmin;
import dev.modelsync.api.inference.InferenceExecutor;
import dev.modelsync.api.inference.InferenceHost;
import dev.modelsync.api.metrics.ApiMetrics;
import dev.modelsync.config.KafkaHealth;
import dev.modelsync.config.Secret;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the HTTP layer needs from the rest of the server; also what inference jobs need of it
 * ({@link InferenceHost}), with this layer's reading of a failure as the client's.
 *
 * @param ready true once the catalog is rebuilt and the latest versions are loaded
 * @param inference the inference threads (see {@code InferenceJob.submit} for what runs inline)
 * @param adminToken bearer token of admin calls; empty refuses them all
 * @param maxInFlight inference requests admitted at once; more get 503 overloaded
 * @param liveness null while the process works; else why it cannot recover (liveness 503)
 * @param maxBufferedBytes body bytes of admitted requests held at once; more get 503 overloaded
 * @param health the api's own health: catalog readiness and Kafka connectivity
 * @param maxTensorBytes largest tensor a request may carry (elements × bytes per element)
 * @param requestTimeoutMs time a request may take from arrival to answer
 * @param inlineMaxNanos a small request to a version whose runs typically take at most this long
 *     runs on its event loop (0: never)
 */
public record Services(
    Catalog catalog,
    RepositoryAdmin admin,
    ApiMetrics metrics,
    BooleanSupplier ready,
    InferenceExecutor inference,
    Optional<Secret> adminToken,
    int maxBodyBytes,
    int maxInFlight,
    Supplier<KafkaHealth.Status> health,
    long maxTensorBytes,
    long requestTimeoutMs,
    long maxBufferedBytes,
    Supplier<String> liveness,
    long inlineMaxNanos)
    implements InferenceHost {
  @Override
  public boolean isClientError(Throwable failure) {
    return HttpErrors.isClientError(failure);
  }
}
