package dev.modelsync.api.artifacts;

import dev.modelsync.config.ArtifactToken;
import dev.modelsync.events.ArtifactPathException;
import dev.modelsync.events.ArtifactPaths;
import dev.modelsync.events.Digests;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a version's files from the agent's {@code GET /artifacts/{model}/{version}/{file}} into
 * a directory, blocking. Files come in sorted order so the version digest is computed while they
 * stream, together with each file's SHA-256; a broken transfer resumes with {@code Range} where it
 * stopped, after a backoff, up to {@link Retry#attempts()} failures in a row without progress.
 */
final class Downloader {
  private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

  /**
   * How hard to try.
   *
   * @param attempts failures in a row (without a byte of progress) before giving up
   * @param firstBackoffMs wait after the first failure; doubles up to {@code maxBackoffMs}
   * @param connectTimeoutMs TCP connect timeout
   * @param readTimeoutMs a read stalled this long counts as a broken connection
   */
  record Retry(
      int attempts,
      long firstBackoffMs,
      long maxBackoffMs,
      int connectTimeoutMs,
      int readTimeoutMs) {
    static final Retry DEFAULT = new Retry(10, 200, 3_000, 3_000, 5_000);
  }

  /** A failure that retrying cannot fix (refused token, wrong bytes). */
  static final class Permanent extends IOException {
    Permanent(String message) {
      super(message);
    }
  }

  private final URI base;
  private final Optional<ArtifactToken> token;
  private final Retry retry;

  Downloader(URI base, Optional<ArtifactToken> token, Retry retry) {
    this.base = base;
    this.token = token;
    this.retry = retry;
  }

  /**
   * Writes every file of {@code saved} under {@code dir} and checks each file's SHA-256 (when the
   * event has it) and the version digest.
   */
  void download(ModelSaved saved, Path dir) throws IOException {
    MessageDigest tree = Digests.sha256();
    List<FileEntry> files =
        saved.files().stream().sorted(Comparator.comparing(FileEntry::path)).toList();
    for (FileEntry file : files) {
      try {
        ArtifactPaths.checkRelative(file.path());
      } catch (ArtifactPathException e) {
        throw new Permanent(e.getMessage());
      }
      Path out = dir.resolve(file.path()).normalize();
      if (!out.startsWith(dir)) {
        throw new Permanent("refused file '" + file.path() + "': leaves the cache directory");
      }
      Files.createDirectories(out.getParent());
      Digests.fileHeader(tree, file.path(), file.size());
      MessageDigest sha = Digests.sha256();
      fetchFile(saved, file, out, sha, tree);
      String actual = HexFormat.of().formatHex(sha.digest());
      if (file.sha256() != null && !file.sha256().isEmpty() && !file.sha256().equals(actual)) {
        throw new Permanent(
            "sha256 mismatch for "
                + file.path()
                + ": got "
                + actual
                + ", the event says "
                + file.sha256());
      }
    }
    String digest = Digests.text(tree);
    if (!digest.equals(saved.digest())) {
      throw new Permanent(
          "digest mismatch: downloaded " + digest + ", the event says " + saved.digest());
    }
  }

  private void fetchFile(
      ModelSaved saved, FileEntry file, Path out, MessageDigest sha, MessageDigest tree)
      throws IOException {
    URI uri = uri(saved, file);
    long written = 0;
    int failures = 0;
    try (FileChannel channel =
        FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        long before = written;
        try {
          written = transfer(uri, file.size(), written, channel, sha, tree);
          if (written == file.size()) {
            return;
          }
          throw new IOException("connection closed after " + written + " bytes");
        } catch (Permanent e) {
          throw e;
        } catch (IOException e) {
          if (e instanceof Progress progress) {
            written = progress.written;
          }
          failures = written > before ? 1 : failures + 1;
          if (failures >= retry.attempts()) {
            throw new IOException(
                "giving up on " + uri + " after " + failures + " failed attempts: " + e, e);
          }
          long backoff =
              Math.min(retry.maxBackoffMs(), retry.firstBackoffMs() << Math.min(failures - 1, 20));
          LOG.info(
              "Fetching {} broke at byte {} of {} ({}); retrying in {} ms",
              uri,
              written,
              file.size(),
              (e instanceof Progress ? e.getCause() : e).toString(),
              backoff);
          sleep(backoff);
        }
      }
    }
  }

  /** One request from byte {@code from}; returns the bytes written so far, however it ended. */
  private long transfer(
      URI uri, long size, long from, FileChannel channel, MessageDigest sha, MessageDigest tree)
      throws IOException {
    HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection();
    http.setConnectTimeout(retry.connectTimeoutMs());
    http.setReadTimeout(retry.readTimeoutMs());
    http.setInstanceFollowRedirects(false);
    token.ifPresent(t -> http.setRequestProperty("Authorization", t.authorization()));
    if (from > 0) {
      http.setRequestProperty("Range", "bytes=" + from + "-");
    }
    long written = from;
    try {
      int status = http.getResponseCode();
      long skip = 0;
      if (status == 200) {
        skip = from; // the server ignored the range: drop what we have already
      } else if (status == 206) {
        String range = http.getHeaderField("Content-Range");
        if (range == null || !range.startsWith("bytes " + from + "-")) {
          throw new IOException("unexpected Content-Range " + range + " for bytes " + from + "-");
        }
      } else if (status == 401 || status == 403) {
        throw new Permanent("the agent refused " + uri + " with " + status + ": check the token");
      } else {
        // 404 too: the agent may not have marked the version saved yet when the event arrives
        throw new IOException("the agent answered " + status + " for " + uri);
      }
      byte[] buffer = new byte[1 << 16];
      try (InputStream in = http.getInputStream()) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          int offset = 0;
          if (skip > 0) {
            offset = (int) Math.min(skip, n);
            skip -= offset;
          }
          int length = n - offset;
          if (length == 0) {
            continue;
          }
          if (written + length > size) {
            throw new Permanent(uri + " is longer than the " + size + " bytes the event says");
          }
          sha.update(buffer, offset, length);
          tree.update(buffer, offset, length);
          ByteBuffer chunk = ByteBuffer.wrap(buffer, offset, length);
          while (chunk.hasRemaining()) {
            channel.write(chunk);
          }
          written += length;
        }
      }
      return written;
    } catch (Permanent e) {
      throw e;
    } catch (IOException e) {
      if (written > from) {
        // progress was made: report it so the next attempt resumes from there
        throw new Progress(written, e);
      }
      throw e;
    } finally {
      http.disconnect();
    }
  }

  /** A broken transfer that still moved bytes: the count lets the caller resume. */
  static final class Progress extends IOException {
    final long written;

    Progress(long written, IOException cause) {
      super(cause.toString(), cause);
      this.written = written;
    }
  }

  private URI uri(ModelSaved saved, FileEntry file) {
    StringBuilder path = new StringBuilder(base.toString().replaceAll("/+$", ""));
    path.append("/artifacts/").append(encode(saved.model())).append('/').append(saved.version());
    for (String segment : file.path().split("/")) {
      path.append('/').append(encode(segment));
    }
    return URI.create(path.toString());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
