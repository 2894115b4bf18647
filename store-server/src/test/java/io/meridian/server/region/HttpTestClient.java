package io.meridian.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A small blocking HTTP client for the tests, on 127.0.0.1 only. */
final class HttpTestClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  record Reply(
      int status, JsonNode body, String session, String retryAfter, String preferenceApplied) {}

  Reply get(int port, String path, Map<String, String> headers) {
    return send(port, path, null, headers);
  }

  Reply post(int port, String path, String json, Map<String, String> headers) {
    return send(port, path, json, headers);
  }

  Reply post(int port, String path, String json) {
    return send(port, path, json, Map.of());
  }

  Reply get(int port, String path) {
    return send(port, path, null, Map.of());
  }

  private Reply send(int port, String path, String json, Map<String, String> headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
    if (json == null) {
      builder.GET();
    } else {
      builder
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }
    headers.forEach(builder::header);
    try {
      HttpResponse<String> response =
          client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.body().isEmpty() ? null : JSON.readTree(response.body());
      return new Reply(
          response.statusCode(),
          body,
          response.headers().firstValue("Meridian-Session").orElse(null),
          response.headers().firstValue("Retry-After").orElse(null),
          response.headers().firstValue("Preference-Applied").orElse(null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
