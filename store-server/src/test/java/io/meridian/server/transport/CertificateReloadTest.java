package io.meridian.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.replication.proto.FrameProto;
import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.meridian.server.tls.MutualTls;
import io.meridian.server.tls.TestCertificates;
import io.meridian.server.tls.TlsDirectory;
import io.meridian.server.tls.TlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region's certificate replaced in its directory while it runs: new replication and HTTPS
 * connections get the new one, a connection opened before keeps going, and a broken file keeps the
 * material in force and is reported.
 */
class CertificateReloadTest {
  @Test
  void newConnectionsGetTheNewCertificateAndOpenOnesKeepGoing(@TempDir Path root) throws Exception {
    Path tls = root.resolve("tls");
    DevelopmentCertificates.generate(tls, List.of("r1", "r2", "r3"));
    Vertx vertx = Vertx.vertx();
    Region r1 =
        Region.start(
            vertx,
            RegionConfig.builder("r1", root.resolve("r1"))
                .peers(
                    Map.of("r2", new HostPort("127.0.0.1", 0), "r3", new HostPort("127.0.0.1", 0)))
                .tlsDirectory(tls)
                .tls(TlsOptions.httpsWithRegionMaterial())
                .build());
    // The connection opened before the reload is r3's: a later one of r2 would not replace it.
    NetClient client = vertx.createNetClient(MutualTls.clientOptions(TlsDirectory.of(tls, "r3")));
    try {
      BigInteger first = TestCertificates.read(tls.resolve("r1.pem")).getSerialNumber();
      NetSocket before = connect(client, r1);
      assertThat(serverSerial(before)).isEqualTo(first);
      CompletableFuture<Void> beforeClosed = new CompletableFuture<>();
      before.closeHandler(v -> beforeClosed.complete(null));
      assertThat(httpsSerial(r1, tls)).isEqualTo(first);

      X509Certificate renewed =
          TestCertificates.issue(
              tls,
              tls,
              "r1",
              Instant.now().minus(Duration.ofHours(1)),
              Instant.now().plus(Duration.ofDays(30)));
      await(
          () ->
              r1.scrape()
                  .contains(
                      "meridian_tls_reloads_total{material=\"replication\",region=\"r1\","
                          + "result=\"ok\"} 1.0"));
      await(
          () ->
              r1.scrape()
                  .contains(
                      "meridian_tls_reloads_total{material=\"http\",region=\"r1\",result=\"ok\"} 1.0"));

      // A client of its own: one that resumed the first session would be shown its certificate.
      NetClient fresh = vertx.createNetClient(MutualTls.clientOptions(TlsDirectory.of(tls, "r2")));
      NetSocket after = connect(fresh, r1);
      assertThat(serverSerial(after)).isEqualTo(renewed.getSerialNumber());
      assertThat(httpsSerial(r1, tls)).isEqualTo(renewed.getSerialNumber());

      // The connection of before still carries frames: r1 reads and counts this one.
      assertThat(beforeClosed).isNotDone();
      before.write(framed(FrameProto.newBuilder().setProtocolVersion(1).setSender("r2").build()));
      await(() -> r1.scrape().contains("meridian_frames_wrong_sender{region=\"r1\"} 1.0"));
      assertThat(beforeClosed).isNotDone();

      // A broken certificate file: the renewed material stays in force, reported.
      Files.writeString(tls.resolve("r1.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n");
      await(
          () ->
              r1.scrape()
                  .contains(
                      "meridian_tls_material_valid{material=\"replication\",region=\"r1\"} 0.0"));
      NetSocket broken =
          connect(vertx.createNetClient(MutualTls.clientOptions(TlsDirectory.of(tls, "r2"))), r1);
      assertThat(serverSerial(broken)).isEqualTo(renewed.getSerialNumber());
      assertThat(httpsSerial(r1, tls)).isEqualTo(renewed.getSerialNumber());
      assertThat(r1.scrape())
          .containsPattern(
              "meridian_tls_reloads_total\\{material=\"replication\",region=\"r1\","
                  + "result=\"failed\"} [1-9]");
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      r1.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static NetSocket connect(NetClient client, Region region) throws Exception {
    return client
        .connect(region.replicationPort(), "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static BigInteger serverSerial(NetSocket socket) throws Exception {
    return ((X509Certificate) socket.peerCertificates().get(0)).getSerialNumber();
  }

  /** The serial of the certificate a new HTTPS connection to {@code region} is shown. */
  private static BigInteger httpsSerial(Region region, Path tls) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TestCertificates.trusting(tls.resolve("ca.pem")))
            .build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + region.httpPort() + "/health/live"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
        .getSerialNumber();
  }

  static Buffer framed(FrameProto frame) {
    byte[] bytes = frame.toByteArray();
    return Buffer.buffer().appendInt(bytes.length).appendBytes(bytes);
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }
}
