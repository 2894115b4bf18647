package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder's CA file: an {@code https} region whose certificate that CA signed is trusted (and
 * gets the bearer token over TLS); without the file the platform's authorities refuse it.
 */
class CaFileTest {
  @TempDir Path tls;

  @Test
  void anHttpsRegionSignedByTheCaFileIsTrustedAndGetsTheToken() throws Exception {
    DevelopmentCertificates.generate(tls, List.of("localhost"));
    List<String> authorizations = new CopyOnWriteArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server =
          vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setSsl(true)
                      .setKeyCertOptions(
                          new PemKeyCertOptions()
                              .setCertPath(tls.resolve("localhost.pem").toString())
                              .setKeyPath(tls.resolve("localhost-key.pem").toString())))
              .requestHandler(
                  request -> {
                    authorizations.add(String.valueOf(request.getHeader("Authorization")));
                    request
                        .response()
                        .setStatusCode(403)
                        .putHeader("Content-Type", "application/json")
                        .end("{\"error\":{\"code\":\"forbidden\",\"message\":\"m\"}}");
                  })
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      String url = "https://localhost:" + server.actualPort();
      try (Meridian trusting =
          Meridian.builder()
              .region("localhost", url)
              .caFile(tls.resolve("ca.pem"))
              .apiToken("secret-token")
              .connectTimeout(Duration.ofSeconds(10))
              .requestTimeout(Duration.ofSeconds(20))
              .build()) {
        assertThatThrownBy(() -> trusting.counter("b", "k").value())
            .isInstanceOf(MeridianException.Forbidden.class);
      }
      assertThat(authorizations).contains("Bearer secret-token");
      int answered = authorizations.size();
      try (Meridian platformTrust =
          Meridian.builder()
              .region("localhost", url)
              .apiToken("secret-token")
              .requestTimeout(Duration.ofSeconds(2))
              .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
              .build()) {
        assertThatThrownBy(() -> platformTrust.counter("b", "k").value())
            .isInstanceOf(MeridianException.Unavailable.class);
      }
      assertThat(authorizations).hasSize(answered);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void aFileWithoutACertificateIsRefusedAtBuild() throws Exception {
    Path notPem = Files.writeString(tls.resolve("not.pem"), "hello");
    assertThatThrownBy(
            () ->
                Meridian.builder()
                    .region("r1", "https://localhost:1")
                    .caFile(notPem)
                    .build()
                    .close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not.pem");
  }
}
