package io.meridian.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region's HTTP API over TLS with the development certificates: HTTP/2 when the client offers it
 * by ALPN, HTTP/1.1 otherwise, the host name {@code localhost} verified against the certificate,
 * and plain HTTP refused on the same port.
 */
class HttpsApiTest {
  @TempDir static Path root;

  private static Vertx vertx;
  private static Region region;

  @BeforeAll
  static void start() throws Exception {
    DevelopmentCertificates.generate(root.resolve("tls"), List.of("r1"));
    vertx = Vertx.vertx();
    region =
        Region.start(
            vertx,
            RegionConfig.builder("r1", root.resolve("r1"))
                .tlsDirectory(root.resolve("tls"))
                .tls(TlsOptions.httpsWithRegionMaterial())
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    region.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpClient client(HttpClient.Version version, Path caFile) throws Exception {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(TestCertificates.trusting(caFile))
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse<String> send(HttpClient client, String path, String json)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://localhost:" + region.httpPort() + path))
            .timeout(Duration.ofSeconds(30));
    if (json != null) {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientThatOffersHttp2GetsHttp2OverTls() throws Exception {
    HttpClient client = client(HttpClient.Version.HTTP_2, root.resolve("tls/ca.pem"));
    HttpResponse<String> written =
        send(
            client,
            "/v1/buckets/demo/keys/h2",
            "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":5}");
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(written.version()).isEqualTo(HttpClient.Version.HTTP_2);
    HttpResponse<String> read = send(client, "/v1/buckets/demo/keys/h2", null);
    assertThat(read.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(read.body()).contains("\"value\":5");
  }

  @Test
  void aClientThatOffersOnlyHttp11GetsHttp11OverTls() throws Exception {
    HttpClient client = client(HttpClient.Version.HTTP_1_1, root.resolve("tls/ca.pem"));
    HttpResponse<String> live = send(client, "/health/live", null);
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(live.sslSession()).isPresent();
  }

  @Test
  void aClientWithoutTheCaRefusesTheServer() {
    HttpClient platform =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    assertThatThrownBy(() -> send(platform, "/health/live", null)).isInstanceOf(IOException.class);
  }

  @Test
  void plainHttpIsRefusedWhenTlsIsOn() throws Exception {
    HttpClient plain =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    assertThatThrownBy(
            () ->
                plain.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + region.httpPort() + "/health/live"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    // The same by hand: a cleartext request gets no HTTP answer, only a closed connection.
    try (Socket socket = new Socket("127.0.0.1", region.httpPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).doesNotContain("HTTP/1.1").doesNotContain("live");
    }
  }
}
