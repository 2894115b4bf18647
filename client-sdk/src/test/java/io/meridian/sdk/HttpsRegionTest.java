package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.meridian.server.tls.TlsOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a real region whose HTTP API is HTTPS, trusting the CA file it was given. */
class HttpsRegionTest {
  @TempDir Path root;

  @Test
  void theSdkWritesAndReadsOverHttpsWithTheCaFile() throws Exception {
    DevelopmentCertificates.generate(root.resolve("tls"), List.of("r1"));
    Vertx vertx = Vertx.vertx();
    Region region =
        Region.start(
            vertx,
            RegionConfig.builder("r1", root.resolve("r1"))
                .tlsDirectory(root.resolve("tls"))
                .tls(TlsOptions.httpsWithRegionMaterial())
                .build());
    try (Meridian client =
        Meridian.builder()
            .region("r1", "https://localhost:" + region.httpPort())
            .caFile(root.resolve("tls/ca.pem"))
            .connectTimeout(Duration.ofSeconds(10))
            .requestTimeout(Duration.ofSeconds(30))
            .build()) {
      client.counter("demo", "visits").increment(5);
      client.counter("demo", "visits").increment(2);
      assertThat(client.counter("demo", "visits").value()).isEqualTo(7);
    } finally {
      region.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
