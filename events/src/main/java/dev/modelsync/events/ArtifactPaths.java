package dev.modelsync.events;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resolves an event's {@code artifact} (and its file paths) against the store root, refusing
 * anything that would read outside the store: absolute paths, {@code ..} or {@code .} segments,
 * backslashes, control characters, and symbolic links whose target is outside the store (links
 * inside it are followed). Whoever can produce to the topic controls these strings, so a consumer
 * resolves them only through here. The check is against the file system as it is now; that the
 * store stays so is the agent's promise (only it writes there).
 */
public final class ArtifactPaths {
  private static final int MAX_LENGTH = 4096;

  private ArtifactPaths() {}

  /**
   * The real path of the artifact directory of a {@code model.saved} event, after checking it and
   * every file the event lists.
   *
   * @throws ArtifactPathException if the artifact or any listed file leaves the store or is missing
   */
  public static Path resolve(Path storeRoot, ModelSaved event) throws ArtifactPathException {
    Path dir = resolve(storeRoot, event.artifact());
    for (ModelSaved.FileEntry file : event.files()) {
      resolveWithin(dir, file.path(), "file");
    }
    return dir;
  }

  /**
   * The real path of {@code artifact}, a path relative to {@code storeRoot} such as {@code iris/3}.
   *
   * @throws ArtifactPathException naming the artifact and the reason if it is not a plain relative
   *     path, does not exist, or resolves (through symbolic links) outside the store
   */
  public static Path resolve(Path storeRoot, String artifact) throws ArtifactPathException {
    Path root;
    try {
      root = storeRoot.toRealPath();
    } catch (IOException e) {
      throw new ArtifactPathException("store directory " + storeRoot + " is not readable: " + e);
    }
    return resolveWithin(root, artifact, "artifact");
  }

  /**
   * The real path of {@code relative} under {@code base} (a real path), refused if it leaves it.
   */
  private static Path resolveWithin(Path base, String relative, String what)
      throws ArtifactPathException {
    checkSyntax(relative, what);
    Path candidate;
    try {
      candidate = base.resolve(relative);
    } catch (InvalidPathException e) {
      throw refused(what, relative, "not a valid path");
    }
    if (!candidate.normalize().startsWith(base)) {
      throw refused(what, relative, "leaves the store");
    }
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      throw refused(what, relative, "does not exist under " + base);
    } catch (IOException e) {
      throw refused(what, relative, "cannot be read: " + e.getMessage());
    }
    if (!real.startsWith(base)) {
      throw refused(what, relative, "is a symbolic link pointing out of " + base + " to " + real);
    }
    return real;
  }

  /**
   * Checks that {@code relative} is a plain relative path by the rules above (no file system
   * access): what a reader that writes files named by an event, such as a download cache, checks
   * before creating them.
   *
   * @throws ArtifactPathException naming the path and the reason
   */
  public static void checkRelative(String relative) throws ArtifactPathException {
    checkSyntax(relative, "file");
  }

  private static void checkSyntax(String relative, String what) throws ArtifactPathException {
    if (relative == null || relative.isEmpty()) {
      throw new ArtifactPathException(what + " location is missing");
    }
    if (relative.length() > MAX_LENGTH) {
      throw refused(what, relative.substring(0, 64) + "...", "is too long");
    }
    if (relative.startsWith("/") || relative.contains("\\")) {
      throw refused(what, relative, "is absolute or has a backslash; it must be relative");
    }
    for (int i = 0; i < relative.length(); i++) {
      if (Character.isISOControl(relative.charAt(i))) {
        throw refused(what, relative, "has a control character");
      }
    }
    for (String segment : relative.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw refused(what, relative, "has an empty, '.' or '..' segment");
      }
    }
  }

  private static String printable(String s) {
    return s.codePoints()
        .collect(
            StringBuilder::new,
            (b, c) -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            },
            StringBuilder::append)
        .toString();
  }

  private static ArtifactPathException refused(String what, String relative, String why) {
    return new ArtifactPathException("refused " + what + " '" + printable(relative) + "': " + why);
  }
}
