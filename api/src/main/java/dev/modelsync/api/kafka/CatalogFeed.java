package dev.modelsync.api.kafka;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.deploy.Deployer;
import dev.modelsync.events.ModelEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the events read from the topic to the deployer: remembered while catching up, applied once
 * live; when caught up, the newest versions are loaded and the api turns ready.
 */
public final class CatalogFeed implements EventConsumer.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogFeed.class);

  private final Deployer deployer;
  private final Catalog catalog;
  private final AtomicBoolean ready;

  public CatalogFeed(Deployer deployer, Catalog catalog, AtomicBoolean ready) {
    this.deployer = deployer;
    this.catalog = catalog;
    this.ready = ready;
  }

  @Override
  public void onEvents(List<ModelEvent> events, boolean live) {
    for (ModelEvent e : events) {
      if (live) {
        deployer.apply(e);
      } else {
        deployer.replay(e);
      }
    }
  }

  @Override
  public void onCaughtUp() {
    deployer
        .rebuild()
        .onComplete(
            x -> {
              ready.set(true);
              LOG.info(
                  "Ready: {} versions of {} models loaded",
                  catalog.loadedCount(),
                  catalog.models().size());
            });
  }
}
