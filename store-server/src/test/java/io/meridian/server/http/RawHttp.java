package io.meridian.server.http;

import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Requests written byte for byte on a fresh connection to 127.0.0.1, hostile ones included. */
final class RawHttp {
  private final int port;

  RawHttp(int port) {
    this.port = port;
  }

  /** A response: status, headers, body (the status is 0 when the server closed without one). */
  record Reply(int status, MultiMap headers, String body) {
    boolean closedWithoutAnswer() {
      return status == 0;
    }
  }

  /** Sends {@code head} (request line and header lines, no blank line) and {@code body}. */
  Reply send(String method, String uri, List<String> headerLines, String body) throws IOException {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(uri).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\nConnection: close\r\n");
    headerLines.forEach(line -> head.append(line).append("\r\n"));
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ")
          .append(bytes.length)
          .append("\r\n");
    }
    head.append("\r\n");
    return parse(exchange(port, head.toString(), bytes));
  }

  /**
   * Sends {@code head} (ending in its blank line) and {@code body} on a new connection to {@code
   * port} and returns every byte the server sent before it closed.
   */
  static byte[] exchange(int port, String head, byte[] body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream output = socket.getOutputStream();
      try {
        output.write(head.getBytes(StandardCharsets.UTF_8));
        output.write(body);
        output.flush();
      } catch (IOException e) {
        // The server may answer (413, 431) and close before reading everything.
      }
      return readAll(socket.getInputStream());
    }
  }

  Reply get(String uri, String token) throws IOException {
    return send("GET", uri, token == null ? List.of() : List.of(bearer(token)), null);
  }

  Reply post(String uri, String token, String json) throws IOException {
    return send("POST", uri, token == null ? List.of() : List.of(bearer(token)), json);
  }

  static String bearer(String token) {
    return "Authorization: Bearer " + token;
  }

  static byte[] readAll(InputStream input) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = input.read(chunk)) >= 0; ) {
        all.write(chunk, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      // A reset after the answer: keep what arrived.
    }
    return all.toByteArray();
  }

  static Reply parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (!text.contains("\r\n\r\n")) {
      return new Reply(0, MultiMap.caseInsensitiveMultiMap(), text);
    }
    HttpHarness.Reply reply = HttpHarness.parse(text);
    return new Reply(reply.status(), reply.headers(), reply.body());
  }
}
