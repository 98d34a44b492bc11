package dev.modelsync.api.http;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.RepositoryAdmin;
import dev.modelsync.api.metrics.ApiMetrics;
import java.util.function.BooleanSupplier;

/**
 * What the HTTP layer needs from the rest of the server.
 *
 * @param ready true once the catalog is rebuilt and the latest versions are loaded
 * @param inference the inference threads (inference never runs on an event loop)
 * @param adminToken bearer token of admin calls; null refuses them all
 */
public record Services(
    Catalog catalog,
    RepositoryAdmin admin,
    ApiMetrics metrics,
    BooleanSupplier ready,
    InferenceExecutor inference,
    String adminToken,
    int maxBodyBytes) {}
