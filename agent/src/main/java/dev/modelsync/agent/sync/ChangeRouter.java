package dev.modelsync.agent.sync;

import dev.modelsync.agent.watch.Layout;
import dev.modelsync.agent.watch.SaveUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out which units a changed path or a full rescan concerns: units present are evaluated,
 * known sources no longer present are reported gone. Runs on the sync thread.
 */
final class ChangeRouter {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeRouter.class);
  private final Layout layout;
  private final Consumer<SaveUnit> evaluate;
  private final Consumer<String> gone;
  private final Supplier<Set<String>> knownSources;

  /**
   * @param gone called with a source (relative to the models directory) that no longer exists
   * @param knownSources sources tracked or published, which may have vanished
   */
  ChangeRouter(
      Layout layout,
      Consumer<SaveUnit> evaluate,
      Consumer<String> gone,
      Supplier<Set<String>> knownSources) {
    this.layout = layout;
    this.evaluate = evaluate;
    this.gone = gone;
    this.knownSources = knownSources;
  }

  void onChange(Path path) {
    Path models = layout.modelsDir();
    if (!path.startsWith(models) || path.equals(models)) {
      return;
    }
    Path top = models.resolve(models.relativize(path).getName(0));
    if (!top.equals(path) || Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      // inside a version directory, a version directory itself, or a single file
      layout.unitOf(path).ifPresent(evaluate);
      return;
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> children = Files.list(path)) {
        children.sorted().forEach(child -> layout.unitOf(child).ifPresent(evaluate));
      } catch (IOException e) {
        LOG.warn("Cannot list {}: {}", path, e.toString());
      }
    }
    String name = top.getFileName().toString();
    for (String known : knownSources.get()) {
      if (known.equals(name) || known.startsWith(name + "/")) {
        goneOrEvaluate(known);
      }
    }
  }

  void scanAll() {
    Set<String> present = new HashSet<>();
    try {
      for (SaveUnit unit : layout.scan()) {
        present.add(unit.relative());
        evaluate.accept(unit);
      }
    } catch (IOException e) {
      LOG.warn("Rescan of {} failed: {}", layout.modelsDir(), e.toString());
      return;
    }
    for (String known : knownSources.get()) {
      if (!present.contains(known)) {
        goneOrEvaluate(known);
      }
    }
  }

  private void goneOrEvaluate(String relative) {
    Path source = layout.modelsDir().resolve(relative);
    if (Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
      layout.unitOf(source).ifPresent(evaluate);
    } else {
      gone.accept(relative);
    }
  }
}
