package dev.modelsync.agent.watch;

import dev.modelsync.agent.watch.Signals.Signal;
import dev.modelsync.events.Manifest;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a unit looked like at one moment: its files with sizes and modification times, whether it
 * holds a {@code model.json} that parses, and whether it was renamed into place.
 *
 * @param files every regular file, relative path with '/' separators, sorted
 * @param manifestState whether {@code model.json} is absent, parses, or does not
 * @param manifest the parsed {@code model.json}, or null
 * @param renamedIn the directory's (or single file's) ctime is later than its mtime: a rename put
 *     it in place after its contents were written
 * @param manifestProblem why {@code model.json} is {@link ManifestState#INVALID}, naming the file;
 *     null otherwise
 * @param signal what inotify said of the unit while it was read; {@link Signal#NONE} without it
 */
public record Observation(
    List<FileStat> files,
    ManifestState manifestState,
    Manifest manifest,
    boolean renamedIn,
    String manifestProblem,
    Signal signal) {

  public enum ManifestState {
    ABSENT,
    VALID,
    INVALID
  }

  /**
   * One file.
   *
   * @param partial hidden, temporary ({@code *.tmp}) or partial ({@code *.part}): not snapshotted
   */
  public record FileStat(String path, long size, long mtimeNanos, boolean partial) {}

  public Observation {
    files = List.copyOf(files);
  }

  /** An observation without native signals (the poll watcher). */
  public Observation(
      List<FileStat> files, ManifestState manifestState, Manifest manifest, boolean renamedIn) {
    this(files, manifestState, manifest, renamedIn, null, Signal.NONE);
  }

  /** A {@code model.json} that could not be read, without native signals. */
  public Observation(
      List<FileStat> files,
      ManifestState manifestState,
      Manifest manifest,
      boolean renamedIn,
      String manifestProblem) {
    this(files, manifestState, manifest, renamedIn, manifestProblem, Signal.NONE);
  }

  /** An observation with what inotify said of the unit. */
  public Observation(
      List<FileStat> files,
      ManifestState manifestState,
      Manifest manifest,
      boolean renamedIn,
      Signal signal) {
    this(files, manifestState, manifest, renamedIn, null, signal);
  }

  /** Names, sizes and times of every file: equal fingerprints mean nothing changed. */
  public String fingerprint() {
    return files.stream()
        .map(f -> f.path() + ":" + f.size() + ":" + f.mtimeNanos())
        .collect(Collectors.joining("|"));
  }

  /** The files a snapshot takes: everything but hidden, temporary and partial files. */
  public List<FileStat> snapshotFiles() {
    return files.stream().filter(f -> !f.partial()).toList();
  }

  public boolean hasPartialFiles() {
    return files.stream().anyMatch(FileStat::partial);
  }

  /** A non-empty model file: one named by the manifest, or one with a model extension. */
  public boolean hasModelFile() {
    String named = manifest == null ? null : manifest.file();
    return snapshotFiles().stream()
        .anyMatch(
            f ->
                f.size() > 0
                    && (f.path().equals(named)
                        || Layout.engineOf(f.path().substring(f.path().lastIndexOf('/') + 1))
                            .isPresent()));
  }
}
