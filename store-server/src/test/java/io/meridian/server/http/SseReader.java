package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A test's Server-Sent Events reader on 127.0.0.1: opens {@code GET path}, reads events one at a
 * time, each read waiting at most 30 s (a test never hangs on a silent stream).
 */
public final class SseReader implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One event: its type, its id (null when it has none) and its data. */
  public record Event(String event, String id, String data) {
    /** The data as JSON. */
    public JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final HttpURLConnection connection;
  private final int status;
  private final String errorBody;
  private BufferedReader reader;

  /** Opens the stream; a non-200 answer is read whole into {@link #errorBody()}. */
  public SseReader(int port, String path, Map<String, String> headers) {
    try {
      connection =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      connection.setReadTimeout(30_000);
      connection.setConnectTimeout(10_000);
      headers.forEach(connection::setRequestProperty);
      status = connection.getResponseCode();
      if (status != 200) {
        InputStream error = connection.getErrorStream();
        errorBody = error == null ? "" : new String(error.readAllBytes(), StandardCharsets.UTF_8);
      } else {
        errorBody = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A header of the answer, or null. */
  public String header(String name) {
    return connection.getHeaderField(name);
  }

  public int status() {
    return status;
  }

  public String errorBody() {
    return errorBody;
  }

  /** The error code of a refused stream. */
  public String errorCode() {
    try {
      return JSON.readTree(errorBody).path("error").path("code").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private BufferedReader reader() throws IOException {
    if (reader == null) {
      reader =
          new BufferedReader(
              new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
    }
    return reader;
  }

  /** Reads lines up to the next comment line ({@code : ...}) and returns it; null at the end. */
  public String nextComment() {
    try {
      String line;
      while ((line = reader().readLine()) != null) {
        if (line.startsWith(":")) {
          return line;
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next event, or null once the stream ended. */
  public Event next() {
    try {
      BufferedReader reader = reader();
      String event = null;
      String id = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (event != null) {
            return new Event(event, id, data.toString());
          }
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    connection.disconnect();
  }
}
