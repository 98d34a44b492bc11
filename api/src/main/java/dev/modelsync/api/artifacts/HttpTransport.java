package dev.modelsync.api.artifacts;

import dev.modelsync.config.ArtifactToken;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The agent's {@code GET /artifacts/{model}/{version}/{file}}, resumed with {@code Range}; serves
 * every version (the agent has each one it announced).
 */
final class HttpTransport implements Transport {
  private final URI base;
  private final Optional<ArtifactToken> token;
  private final Downloader.Retry retry;

  HttpTransport(URI base, Optional<ArtifactToken> token, Downloader.Retry retry) {
    this.base = base;
    this.token = token;
    this.retry = retry;
  }

  @Override
  public boolean serves(ModelSaved saved) {
    return true;
  }

  @Override
  public InputStream open(ModelSaved saved, FileEntry file, long from) throws IOException {
    URI uri = uri(saved, file);
    HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection();
    http.setConnectTimeout(retry.connectTimeoutMs());
    http.setReadTimeout(retry.readTimeoutMs());
    http.setInstanceFollowRedirects(false);
    token.ifPresent(t -> http.setRequestProperty("Authorization", t.authorization()));
    if (from > 0) {
      http.setRequestProperty("Range", "bytes=" + from + "-");
    }
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
        throw new Downloader.Permanent(
            "the agent refused " + uri + " with " + status + ": check the token");
      } else {
        // 404 too: the agent may not have marked the version saved yet when the event arrives
        throw new IOException("the agent answered " + status + " for " + uri);
      }
      InputStream in =
          new FilterInputStream(http.getInputStream()) {
            @Override
            public void close() throws IOException {
              try {
                super.close();
              } finally {
                http.disconnect();
              }
            }
          };
      in.skipNBytes(skip);
      return in;
    } catch (IOException | RuntimeException e) {
      http.disconnect();
      throw e;
    }
  }

  @Override
  public String describe(ModelSaved saved, FileEntry file) {
    return uri(saved, file).toString();
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

  @Override
  public String toString() {
    return base.toString();
  }
}
