package dev.modelsync.agent.sync;

import dev.modelsync.agent.store.StateRecovery;
import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.SaveUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Guesses where a stored version came from when the agent state that said so is gone: its version
 * directory if the models directory has it, else the model's single file if there is one (so its
 * next save is compared with, and numbered above, the stored versions), else the version directory,
 * which is gone and whose deletion is then published again (consumers take it as a duplicate).
 */
public final class StateSources implements StateRecovery.Sources {
  private final Layout layout;
  private Map<String, String> singleFiles;

  private StateSources(Layout layout) {
    this.layout = layout;
  }

  public static StateRecovery.Sources of(Layout layout) {
    return new StateSources(layout);
  }

  @Override
  public String of(String model, long version) {
    String dir = model + "/" + version;
    Path path = layout.modelsDir().resolve(model).resolve(Long.toString(version));
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return dir;
    }
    return singleFiles().getOrDefault(model, dir);
  }

  private Map<String, String> singleFiles() {
    if (singleFiles == null) {
      singleFiles = new HashMap<>();
      try {
        for (SaveUnit unit : layout.scan()) {
          if (unit.singleFile()) {
            singleFiles.putIfAbsent(unit.model(), unit.relative());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + layout.modelsDir(), e);
      }
    }
    return singleFiles;
  }
}
