package dev.modelsync.events;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The digest of a version: SHA-256 over its regular files sorted by relative path ('/'-separated),
 * feeding for each file its path bytes (UTF-8), a 0 byte, its length as 8 big-endian bytes and its
 * contents. Renaming a file, moving bytes between files or changing any byte changes the digest.
 */
public final class Digests {
  public static final String PREFIX = "sha256:";

  private Digests() {}

  /** The files of a version directory, relative and sorted, symlinks and directories left out. */
  public static List<String> listFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  public static String ofDirectory(Path dir) throws IOException {
    return ofFiles(dir, listFiles(dir));
  }

  public static String ofFiles(Path dir, List<String> sortedRelativePaths) throws IOException {
    MessageDigest tree = sha256();
    byte[] buffer = new byte[1 << 16];
    for (String name : sortedRelativePaths) {
      Path file = dir.resolve(name);
      fileHeader(tree, name, Files.size(file));
      try (InputStream in = Files.newInputStream(file)) {
        // "> 0" and ">= 0" are the same here (an equivalent mutant): read never returns 0 for a
        // non-empty buffer, and -1 ends the loop either way
        for (int n; (n = in.read(buffer)) > 0; ) {
          tree.update(buffer, 0, n);
        }
      }
    }
    return text(tree);
  }

  /**
   * Feeds what precedes a file's contents in the version digest. With it a reader that receives the
   * files in sorted order computes the digest while they stream in: {@code fileHeader(tree, name,
   * size)}, then the contents, for each file, then {@code PREFIX + hex(tree.digest())}.
   */
  public static void fileHeader(MessageDigest tree, String name, long size) {
    tree.update(name.getBytes(StandardCharsets.UTF_8));
    tree.update((byte) 0);
    for (int shift = 56; shift >= 0; shift -= 8) {
      tree.update((byte) (size >>> shift));
    }
  }

  /** The digest text of a finished tree digest: {@code sha256:<hex>}. */
  public static String text(MessageDigest tree) {
    return PREFIX + HexFormat.of().formatHex(tree.digest());
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
