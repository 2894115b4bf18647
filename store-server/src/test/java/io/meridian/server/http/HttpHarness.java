package io.meridian.server.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A region's HTTP API on 127.0.0.1, port 0, in front of a {@link FakeRegionService}. */
final class HttpHarness implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final FakeRegionService service = new FakeRegionService();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final HttpServer server;

  HttpHarness(HttpApiConfig config) throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(HttpApi.router(vertx, service, registry, config))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  /** A response, read whole. */
  record Reply(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  /**
   * Sends one request on a fresh connection, written byte for byte (so malformed paths go out as
   * they are), and reads the whole response.
   */
  Reply send(HttpMethod method, String uri, Map<String, String> headers, Buffer body)
      throws Exception {
    StringBuilder head = new StringBuilder();
    head.append(method.name()).append(' ').append(uri).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\nConnection: close\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    if (body != null) {
      head.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    head.append("\r\n");
    byte[] response = RawHttp.exchange(server.actualPort(), head.toString(), bytes);
    return parse(new String(response, StandardCharsets.UTF_8));
  }

  static Reply parse(String response) {
    int headEnd = response.indexOf("\r\n\r\n");
    String[] lines = response.substring(0, headEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
    }
    String body = response.substring(headEnd + 4);
    if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
      body = unchunk(body);
    }
    return new Reply(status, headers, body);
  }

  private static String unchunk(String chunked) {
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).strip(), 16);
      if (size == 0) {
        return body.toString();
      }
      body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  Reply get(String uri) throws Exception {
    return send(HttpMethod.GET, uri, Map.of(), null);
  }

  Reply postJson(String uri, String json) throws Exception {
    return send(
        HttpMethod.POST, uri, Map.of("Content-Type", "application/json"), Buffer.buffer(json));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
