package dev.modelsync.api.engine;

import dev.modelsync.events.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Which file of a version directory an engine loads. */
final class ModelFiles {
  private ModelFiles() {}

  /**
   * The manifest's file, else the only file with one of the engine's extensions, else {@code
   * model.<ext>} among several. {@code model.json} is the manifest, never a model file.
   */
  static String pick(Path dir, Manifest manifest, Set<String> extensions)
      throws ModelLoadException {
    if (manifest != null && manifest.file() != null) {
      Path file = dir.resolve(manifest.file()).normalize();
      if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
        throw new ModelLoadException("manifest names file '" + manifest.file() + "' not in " + dir);
      }
      return dir.relativize(file).toString();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> found =
          files
              .map(p -> p.getFileName().toString())
              .filter(f -> !f.equals(Manifest.FILE_NAME) && extensions.contains(extension(f)))
              .sorted()
              .toList();
      if (found.size() == 1) {
        return found.get(0);
      }
      if (found.isEmpty()) {
        throw new ModelLoadException("no " + dotted(extensions) + " file in " + dir);
      }
      return found.stream()
          .filter(f -> f.startsWith("model."))
          .findFirst()
          .orElseThrow(
              () ->
                  new ModelLoadException(
                      "several " + dotted(extensions) + " files in " + dir + " and no model.json"));
    } catch (IOException e) {
      throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  static String extension(String file) {
    int dot = file.lastIndexOf('.');
    return dot < 0 ? "" : file.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static String dotted(Set<String> extensions) {
    return String.join("/", extensions.stream().sorted().map(e -> "." + e).toList());
  }
}
