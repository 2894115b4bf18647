package io.meridian.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of one region that a test turns faulty: forward, forward and then lose the
 * answer (the region applied the update, the client never hears), or answer nothing at all (the
 * region is unreachable). Counts the requests it sees.
 */
final class FaultProxy implements AutoCloseable {
  enum Mode {
    FORWARD,
    LOSE_ANSWER,
    DOWN
  }

  private static final List<String> FORWARDED_REQUEST_HEADERS =
      List.of(
          "Content-Type",
          "Meridian-Session",
          "Meridian-Guarantees",
          "Meridian-Wait",
          "Authorization");
  private static final List<String> FORWARDED_ANSWER_HEADERS =
      List.of("Content-Type", "Meridian-Session", "Retry-After");

  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String target;
  private volatile Mode mode = Mode.FORWARD;
  final AtomicInteger requests = new AtomicInteger();

  /** Answers to updates (POST) that the region gave and the client never got. */
  final AtomicInteger lostUpdateAnswers = new AtomicInteger();

  FaultProxy(String target) throws IOException {
    this.target = target;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void mode(Mode mode) {
    this.mode = mode;
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    Mode now = mode;
    try (exchange) {
      if (now == Mode.DOWN) {
        return;
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String header : FORWARDED_REQUEST_HEADERS) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
          request.header(header, value);
        }
      }
      HttpResponse<byte[]> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (now == Mode.LOSE_ANSWER) {
        if (exchange.getRequestMethod().equals("POST")) {
          lostUpdateAnswers.incrementAndGet();
        }
        return;
      }
      for (String header : FORWARDED_ANSWER_HEADERS) {
        response
            .headers()
            .firstValue(header)
            .ifPresent(v -> exchange.getResponseHeaders().add(header, v));
      }
      exchange.sendResponseHeaders(
          response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
