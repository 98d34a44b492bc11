package dev.modelsync.api;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection that sends exactly the bytes a test gives it, the way a client
 * library would put them on the wire, and reads each answer (Content-Length bodies: the api sends
 * no other kind).
 */
final class ReplayConnection implements AutoCloseable {
  /** An answer as a client library sees it. */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as a JSON object, as {@code json.loads} would; fails when it is not. */
    JsonObject json() {
      return new JsonObject(text());
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  ReplayConnection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000); // against hanging only
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  Answer exchange(String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    String[] lines = readHead().split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    String length = headers.get("content-length");
    if (length == null) {
      throw new AssertionError("no content-length in the answer: " + headers);
    }
    return new Answer(status, headers, in.readNBytes(Integer.parseInt(length)));
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the answer's headers ended: " + head);
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
    }
    String s = head.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.length() - 4);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
