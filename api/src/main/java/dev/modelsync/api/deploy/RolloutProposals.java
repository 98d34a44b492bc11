package dev.modelsync.api.deploy;

import dev.modelsync.api.catalog.CatalogException;
import dev.modelsync.api.catalog.CatalogException.Kind;
import dev.modelsync.events.RolloutDecided;
import dev.modelsync.events.RolloutMeasures;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decisions this replica proposes, from its measures or an admin's call: recorded on the events
 * topic and applied only as read back from it, like every other replica's. A measured decision is
 * proposed once (again only if Kafka did not take it). Used on the deployer's context.
 */
final class RolloutProposals {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutProposals.class);

  private final DecisionLog log;
  private final String replica;
  private final Set<String> proposed = new HashSet<>();

  RolloutProposals(DecisionLog log, String replica) {
    this.log = log;
    this.replica = replica;
  }

  /** Proposes what this replica's measures say, once per version, decision and step. */
  void propose(
      ActiveRollout r, String type, int step, int share, String reason, RolloutMeasures m) {
    String proposal = r.model() + "/" + r.version() + " " + type + " " + step;
    if (!proposed.add(proposal)) {
      return;
    }
    log.record(
            new RolloutDecided(
                type, r.model(), r.version(), step, share, reason, replica, Instant.now(), m))
        .onFailure(
            e -> {
              proposed.remove(proposal);
              LOG.warn(
                  "Could not record the {} of {} version {} on Kafka: {}",
                  type,
                  r.model(),
                  r.version(),
                  e.getMessage());
            });
  }

  /** Records an admin's promote or roll back; fails, changing nothing, when Kafka refuses it. */
  Future<Long> byAdmin(ActiveRollout r, String type) {
    RolloutDecided d =
        new RolloutDecided(
            type,
            r.model(),
            r.version(),
            0,
            0,
            "by an admin on " + replica,
            replica,
            Instant.now(),
            null);
    return log.record(d)
        .recover(
            e ->
                Future.failedFuture(
                    new CatalogException(
                        Kind.CONFLICT,
                        "the decision on "
                            + r.model()
                            + " could not be recorded on Kafka, nothing changed: "
                            + e.getMessage())))
        .map(x -> r.version());
  }
}
