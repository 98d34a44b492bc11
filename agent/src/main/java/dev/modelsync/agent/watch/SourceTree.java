package dev.modelsync.agent.watch;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A save unit's files, read without following a symbolic link at any level of the path below the
 * models directory. Every directory is opened relative to its parent's handle with {@code
 * O_NOFOLLOW} ({@link SecureDirectoryStream}, Linux's {@code openat}), and every file relative to
 * its directory's handle, so swapping a model, version or inner directory for a link while the unit
 * is read fails the read ({@link LinkException}) instead of reading from where the link points.
 *
 * <p>Where the platform has no {@link SecureDirectoryStream} (Windows), paths are used instead,
 * with only the last part checked: {@link #secure()} says which.
 */
public final class SourceTree implements Closeable {
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
  private static final Set<OpenOption> READ_NOFOLLOW =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

  /** A path below the unit was a symbolic link where a directory or file was expected. */
  public static final class LinkException extends FileSystemException {
    LinkException(Path path) {
      super(path.toString(), null, "a symbolic link; links are not followed");
    }

    public Path path() {
      return Path.of(getFile());
    }
  }

  /** A regular file of the unit: its path relative to the unit, '/'-separated. */
  public record Entry(String path, BasicFileAttributes attrs) {}

  private final Path source;
  private final String fileName;
  private final Map<String, SecureDirectoryStream<Path>> dirs = new HashMap<>();

  private SourceTree(Path source, String fileName, SecureDirectoryStream<Path> root) {
    this.source = source;
    this.fileName = fileName;
    if (root != null) {
      dirs.put("", root);
    }
  }

  /**
   * Opens a unit: for a version directory, each directory from the models directory down, without
   * following links; for a single file, the models directory (the file is opened on use).
   *
   * @throws LinkException if the model or version directory is a link
   */
  public static SourceTree open(Path modelsDir, SaveUnit unit) throws IOException {
    DirectoryStream<Path> top = Files.newDirectoryStream(modelsDir);
    if (!(top instanceof SecureDirectoryStream<Path> models)) {
      top.close();
      return new SourceTree(unit.source(), unit.singleFile() ? unit.relative() : null, null);
    }
    if (unit.singleFile()) {
      return new SourceTree(unit.source(), unit.relative(), models);
    }
    SecureDirectoryStream<Path> dir = models;
    Path at = modelsDir;
    try {
      for (String name : unit.relative().split("/")) {
        at = at.resolve(name);
        SecureDirectoryStream<Path> child = openDir(dir, name, at);
        dir.close();
        dir = child;
      }
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
    return new SourceTree(unit.source(), null, dir);
  }

  /** Whether links are refused at every level (true on Linux). */
  public boolean secure() {
    return !dirs.isEmpty();
  }

  /** The attributes of the unit's directory or single file, not following a link. */
  public BasicFileAttributes rootAttributes() throws IOException {
    SecureDirectoryStream<Path> root = dirs.get("");
    if (root == null) {
      return Files.readAttributes(source, BasicFileAttributes.class, NOFOLLOW);
    }
    return fileName == null
        ? root.getFileAttributeView(BasicFileAttributeView.class).readAttributes()
        : attributes(root, fileName);
  }

  /**
   * Every regular file of the unit, sorted by path; links are reported to {@code onLink} (with
   * their path) and left out. A single file is its only entry.
   */
  public List<Entry> files(Consumer<Path> onLink) throws IOException {
    if (fileName != null) {
      BasicFileAttributes attrs = rootAttributes();
      if (attrs.isSymbolicLink()) {
        throw new LinkException(source);
      }
      return attrs.isRegularFile() ? List.of(new Entry(fileName, attrs)) : List.of();
    }
    List<Entry> files = new ArrayList<>();
    Deque<String> pending = new ArrayDeque<>(List.of(""));
    while (!pending.isEmpty()) {
      String rel = pending.pop();
      for (String name : list(rel)) {
        String child = rel.isEmpty() ? name : rel + "/" + name;
        BasicFileAttributes attrs = attributes(child);
        if (attrs.isSymbolicLink()) {
          onLink.accept(source.resolve(child));
        } else if (attrs.isDirectory()) {
          pending.push(child);
        } else if (attrs.isRegularFile()) {
          files.add(new Entry(child, attrs));
        }
      }
    }
    files.sort(Comparator.comparing(Entry::path));
    return files;
  }

  /**
   * Opens a file of the unit for reading ({@code path} as {@link #files} names it), not following a
   * link at any level below the unit.
   */
  public SeekableByteChannel open(String path) throws IOException {
    SecureDirectoryStream<Path> root = dirs.get("");
    if (fileName != null) {
      return root == null
          ? Files.newByteChannel(source, READ_NOFOLLOW)
          : channel(root, fileName, source);
    }
    int slash = path.lastIndexOf('/');
    if (root == null) {
      return Files.newByteChannel(source.resolve(relative(path)), READ_NOFOLLOW);
    }
    String parent = slash < 0 ? "" : path.substring(0, slash);
    return channel(dir(parent), path.substring(slash + 1), source.resolve(path));
  }

  /** The attributes of a file or directory of the unit, not following a link. */
  public BasicFileAttributes attributes(String path) throws IOException {
    if (dirs.isEmpty()) {
      return Files.readAttributes(
          source.resolve(relative(path)), BasicFileAttributes.class, NOFOLLOW);
    }
    int slash = path.lastIndexOf('/');
    String parent = slash < 0 ? "" : path.substring(0, slash);
    return attributes(dir(parent), path.substring(slash + 1));
  }

  private List<String> list(String rel) throws IOException {
    List<String> names = new ArrayList<>();
    if (dirs.isEmpty()) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(source.resolve(rel))) {
        s.forEach(p -> names.add(p.getFileName().toString()));
      }
      return names;
    }
    // a directory handle lists once; a fresh handle to the same directory lists it again
    SecureDirectoryStream<Path> handle = dir(rel);
    try (SecureDirectoryStream<Path> again =
        handle.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)) {
      again.forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  /** The handle of a directory of the unit, opened one level at a time from the unit's root. */
  private SecureDirectoryStream<Path> dir(String rel) throws IOException {
    SecureDirectoryStream<Path> known = dirs.get(rel);
    if (known != null) {
      return known;
    }
    int slash = rel.lastIndexOf('/');
    String parent = slash < 0 ? "" : rel.substring(0, slash);
    String name = checked(rel.substring(slash + 1));
    SecureDirectoryStream<Path> opened = openDir(dir(parent), name, source.resolve(rel));
    dirs.put(rel, opened);
    return opened;
  }

  private static SecureDirectoryStream<Path> openDir(
      SecureDirectoryStream<Path> parent, String name, Path at) throws IOException {
    try {
      return parent.newDirectoryStream(Path.of(checked(name)), LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw asLink(parent, name, at, e);
    }
  }

  private static SeekableByteChannel channel(SecureDirectoryStream<Path> dir, String name, Path at)
      throws IOException {
    try {
      return dir.newByteChannel(Path.of(checked(name)), READ_NOFOLLOW);
    } catch (IOException e) {
      throw asLink(dir, name, at, e);
    }
  }

  private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, String name)
      throws IOException {
    return dir.getFileAttributeView(Path.of(checked(name)), BasicFileAttributeView.class, NOFOLLOW)
        .readAttributes();
  }

  /** An open that failed on a link (ELOOP) says so; any other failure is passed on. */
  private static IOException asLink(
      SecureDirectoryStream<Path> dir, String name, Path at, IOException e) {
    try {
      if (attributes(dir, name).isSymbolicLink()) {
        return new LinkException(at);
      }
    } catch (IOException | RuntimeException ignored) {
      // gone meanwhile: the original failure says enough
    }
    return e;
  }

  /** A relative path of names that each pass {@link #checked}. */
  private static String relative(String path) {
    for (String name : path.split("/", -1)) {
      checked(name);
    }
    return path;
  }

  /**
   * Whether a failure to open means the file or a directory on its way vanished or became a link
   * (the save changed under the reader), rather than, say, a permission problem.
   */
  public static boolean vanishedOrLinked(IOException e) {
    return e instanceof LinkException
        || e instanceof NoSuchFileException
        || e instanceof NotDirectoryException
        || (e instanceof FileSystemException f
            && f.getReason() != null
            && f.getReason().contains("symbolic link"));
  }

  /** One name: never empty, "." or "..", never holding a separator. */
  private static String checked(String name) {
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.contains("/")
        || name.contains("\\")) {
      throw new IllegalArgumentException("not a file name in a unit: '" + name + "'");
    }
    return name;
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (SecureDirectoryStream<Path> d : dirs.values()) {
      try {
        d.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    dirs.clear();
    if (first != null) {
      throw first;
    }
  }
}
