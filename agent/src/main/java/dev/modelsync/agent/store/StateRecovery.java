package dev.modelsync.agent.store;

import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelNames;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the agent's state from the store when its state file is missing or corrupt: every
 * complete version in the store counts as published, so a single-file model continues above the
 * highest version stored and no stored version is ever copied over. Blocking (it hashes the store).
 */
public final class StateRecovery {
  /** Where a stored version came from, when no state file says so. */
  public interface Sources {
    /**
     * @return the source relative to the models directory: {@code model/version} for a version
     *     directory, {@code model.ext} for a single file
     */
    String of(String model, long version);
  }

  /** A version found in the store. */
  record Stored(String model, long version, String digest) {}

  private StateRecovery() {}

  /** Every complete version in the store: valid names, positive versions, no temporary copies. */
  static List<Stored> scan(Path storeDir) throws IOException {
    List<Stored> found = new ArrayList<>();
    if (!Files.isDirectory(storeDir)) {
      return found;
    }
    try (DirectoryStream<Path> models = Files.newDirectoryStream(storeDir)) {
      for (Path model : models) {
        String name = model.getFileName().toString();
        if (!ModelNames.isValid(name) || !Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS)) {
          continue; // the state directory, temporary copies, anything not the agent's
        }
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(model)) {
          for (Path version : versions) {
            long v = ModelNames.parseVersion(version.getFileName().toString());
            if (v >= 1 && Files.isDirectory(version, LinkOption.NOFOLLOW_LINKS)) {
              found.add(new Stored(name, v, Digests.ofDirectory(version)));
            }
          }
        }
      }
    }
    return found;
  }

  /** The first line of a failure's message: a parser's message spans lines. */
  static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return e.getClass().getSimpleName()
        + ": "
        + (newline < 0 ? message : message.substring(0, newline));
  }
}
