package dev.modelsync.agent.watch;

import dev.modelsync.events.Engines;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How paths under the models directory map to {@link SaveUnit}s, and which are ignored. Each
 * ignored path is logged once, not on every rescan. Symbolic links are never followed: a linked
 * model file, model directory or version directory is ignored, wherever it points, so nothing
 * outside the models directory is read through one.
 */
public final class Layout {
  private static final Logger LOG = LoggerFactory.getLogger(Layout.class);

  private final Path modelsDir;
  private final Set<Path> reported = ConcurrentHashMap.newKeySet();

  public Layout(Path modelsDir) {
    this.modelsDir = modelsDir;
  }

  public Path modelsDir() {
    return modelsDir;
  }

  /** Hidden files and directories, temporary and partial files, notebook checkpoints. */
  public static boolean isIgnoredName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return name.startsWith(".")
        || lower.endsWith(".tmp")
        || lower.endsWith(".part")
        || name.equals(".ipynb_checkpoints")
        || name.endsWith("~");
  }

  /** The engine a model file's extension implies; {@code model.json} itself is no model. */
  public static Optional<String> engineOf(String fileName) {
    if (fileName.equals(Manifest.FILE_NAME)) {
      return Optional.empty();
    }
    int dot = fileName.lastIndexOf('.');
    // (PIT: "< 0" as "<= 0" is equivalent in use: names starting with '.' are ignored first)
    return dot < 0 ? Optional.empty() : Engines.ofExtension(fileName.substring(dot + 1));
  }

  /**
   * The unit a path belongs to: the version directory it is in or is, or the single model file it
   * is. Empty for the models directory itself, a model directory, and ignored paths.
   */
  public Optional<SaveUnit> unitOf(Path path) {
    if (!path.startsWith(modelsDir) || path.equals(modelsDir)) {
      return Optional.empty();
    }
    Path rel = modelsDir.relativize(path);
    if (linkOnTheWay(rel)) {
      return Optional.empty();
    }
    String first = rel.getName(0).toString();
    if (isIgnoredName(first)) {
      ignore(modelsDir.resolve(first), "hidden or temporary");
      return Optional.empty();
    }
    if (rel.getNameCount() == 1) {
      Path top = modelsDir.resolve(first);
      if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
        // (PIT: negated, only the reason logged differs: equivalent)
        if (!ModelNames.isValid(first)) {
          ignore(top, "not a valid model name");
        }
        return Optional.empty();
      }
      return singleFile(top);
    }
    if (!ModelNames.isValid(first)) {
      ignore(modelsDir.resolve(first), "not a valid model name");
      return Optional.empty();
    }
    String second = rel.getName(1).toString();
    Path versionDir = modelsDir.resolve(first).resolve(second);
    long version = ModelNames.parseVersion(second);
    if (version < 1) {
      ignore(
          versionDir,
          isIgnoredName(second) // (PIT: the logged reason only; equivalent)
              ? "hidden or temporary"
              : "not a version directory (expected a positive integer)");
      return Optional.empty();
    }
    if (rel.getNameCount() == 2 && Files.isRegularFile(versionDir)) {
      ignore(versionDir, "a file where a version directory belongs");
      return Optional.empty();
    }
    return Optional.of(new SaveUnit(first, version, versionDir, first + "/" + version));
  }

  /** Whether the model file or directory, or the version directory, of a path is a link. */
  private boolean linkOnTheWay(Path rel) {
    for (int i = 1; i <= Math.min(2, rel.getNameCount()); i++) {
      Path p = modelsDir.resolve(rel.subpath(0, i));
      if (Files.isSymbolicLink(p)) {
        ignoreLink(p);
        return true;
      }
    }
    return false;
  }

  /** Logs a symbolic link as ignored, once, with where it points. */
  public void ignoreLink(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException | UnsupportedOperationException e) {
      target = "?";
    }
    ignore(link, "a symbolic link (to " + target + "); links are not followed");
  }

  private Optional<SaveUnit> singleFile(Path file) {
    String fileName = file.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    // (PIT: "<= 0" as "< 0" is equivalent: "" and ".x" are both invalid names)
    String name = dot <= 0 ? fileName : fileName.substring(0, dot);
    if (engineOf(fileName).isEmpty()) {
      ignore(file, "not a model file (.onnx, .pt, .torchscript, .json, .ubj)");
      return Optional.empty();
    }
    if (!ModelNames.isValid(name)) {
      ignore(file, "not a valid model name");
      return Optional.empty();
    }
    return Optional.of(new SaveUnit(name, 0, file, fileName));
  }

  /** Every unit present now: version directories and single model files. */
  public List<SaveUnit> scan() throws IOException {
    List<SaveUnit> units = new ArrayList<>();
    for (Path top : list(modelsDir)) {
      if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
        String name = top.getFileName().toString();
        if (isIgnoredName(name) || !ModelNames.isValid(name)) {
          unitOf(top);
          continue;
        }
        for (Path child : list(top)) {
          unitOf(child).ifPresent(units::add);
        }
        // (PIT: a link left out here is not logged, and is never a unit either way: equivalent)
      } else if (Files.isRegularFile(top, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(top)) {
        unitOf(top).ifPresent(units::add);
      }
    }
    return units;
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** Logs an ignored path once; true the first time. */
  public boolean ignore(Path path, String why) {
    if (reported.add(path)) {
      LOG.info("Ignoring {}: {}", path, why);
      return true;
    }
    return false;
  }
}
