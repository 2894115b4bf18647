package io.meridian.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.server.tls.TlsMaterial.Refusal;
import io.meridian.server.tls.TlsMaterial.Side;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading a region's TLS material: new files put in force, bad ones refused with the old kept and
 * reported; and the checks of a presented certificate (validity, CA, revocation), counted.
 */
class TlsMaterialTest {
  @TempDir Path root;
  private Path tls;
  private PrometheusMeterRegistry registry;

  @BeforeEach
  void certificates() throws Exception {
    tls = root.resolve("tls");
    DevelopmentCertificates.generate(tls, List.of("r1", "r2", "r3"));
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  private TlsMaterial material(Optional<Path> crl) {
    return TlsMaterial.forPeers(TlsDirectory.of(tls, "r1"), crl, registry);
  }

  private static Instant now() {
    return Instant.now();
  }

  private X509Certificate issue(Path out, String region, Instant from, Instant to)
      throws Exception {
    return TestCertificates.issue(tls, out, region, from, to);
  }

  private String scrape(String metric) {
    return registry.scrape().lines().filter(line -> line.startsWith(metric)).toList().toString();
  }

  @Test
  void aNewCertificateAndKeyArePutInForceAndUnchangedFilesDoNothing() throws Exception {
    TlsMaterial material = material(Optional.empty());
    BigInteger before = material.certificate().getSerialNumber();
    assertThat(material.reload()).isFalse();
    X509Certificate renewed =
        issue(tls, "r1", now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(2)));
    assertThat(material.reload()).isTrue();
    assertThat(material.certificate().getSerialNumber())
        .isEqualTo(renewed.getSerialNumber())
        .isNotEqualTo(before);
    assertThat(material.valid()).isTrue();
    assertThat(scrape("meridian_tls_reloads_total")).contains("result=\"ok\"} 1.0");
  }

  @Test
  void badFilesKeepTheMaterialInForceAndAreReported() throws Exception {
    TlsMaterial material = material(Optional.empty());
    BigInteger inForce = material.certificate().getSerialNumber();
    byte[] goodCertificate = Files.readAllBytes(tls.resolve("r1.pem"));
    byte[] goodKey = Files.readAllBytes(tls.resolve("r1-key.pem"));

    // Garbage instead of the certificate.
    Files.writeString(tls.resolve("r1.pem"), "not a certificate");
    assertThat(material.reload()).isFalse();
    assertThat(material.valid()).isFalse();
    assertThat(material.certificate().getSerialNumber()).isEqualTo(inForce);
    assertThat(scrape("meridian_tls_material_valid")).contains("} 0.0");

    // Half replaced: a new certificate beside the old key.
    Path elsewhere = root.resolve("new");
    issue(elsewhere, "r1", now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(1)));
    Files.copy(
        elsewhere.resolve("r1.pem"),
        tls.resolve("r1.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(material.reload()).isFalse();
    assertThat(material.certificate().getSerialNumber()).isEqualTo(inForce);

    // Another region's certificate and key, from the right CA.
    Files.copy(
        tls.resolve("r2.pem"),
        tls.resolve("r1.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        tls.resolve("r2-key.pem"),
        tls.resolve("r1-key.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(material.reload()).isFalse();

    // An expired certificate with its key.
    issue(tls, "r1", now().minus(Duration.ofDays(3)), now().minus(Duration.ofDays(1)));
    assertThat(material.reload()).isFalse();

    // A certificate of another CA with its key.
    List<String> foreign = TestCertificates.foreign("r1");
    Files.writeString(tls.resolve("r1.pem"), foreign.get(1));
    Files.writeString(tls.resolve("r1-key.pem"), foreign.get(2));
    assertThat(material.reload()).isFalse();
    assertThat(material.certificate().getSerialNumber()).isEqualTo(inForce);
    assertThat(scrape("meridian_tls_reloads_total")).contains("result=\"failed\"} 5.0");

    // Repaired: the same material as before is valid again, nothing new put in force.
    Files.write(tls.resolve("r1.pem"), goodCertificate);
    Files.write(tls.resolve("r1-key.pem"), goodKey);
    assertThat(material.reload()).isFalse();
    assertThat(material.valid()).isTrue();
    assertThat(scrape("meridian_tls_material_valid")).contains("} 1.0");
  }

  @Test
  void aRegionDoesNotStartOnMaterialItWouldRefuse() throws Exception {
    issue(tls, "r1", now().plus(Duration.ofDays(1)), now().plus(Duration.ofDays(2)));
    assertThatThrownBy(() -> material(Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid now");
    Path crl = Files.writeString(root.resolve("crl.pem"), "garbage");
    issue(tls, "r1", now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(2)));
    assertThatThrownBy(() -> material(Optional.of(crl)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crl.pem");
  }

  @Test
  void presentedCertificatesAreCheckedForValidityCaAndRevocationAndCounted() throws Exception {
    X509Certificate revoked =
        issue(
            root.resolve("revoked"),
            "r2",
            now().minus(Duration.ofHours(1)),
            now().plus(Duration.ofDays(1)));
    Path crl = root.resolve("crl.pem");
    Files.writeString(crl, TestCertificates.revocationList(tls, List.of()));
    TlsMaterial material = material(Optional.of(crl));
    X509Certificate good = TestCertificates.read(tls.resolve("r2.pem"));
    X509Certificate expired =
        issue(
            root.resolve("expired"),
            "r2",
            now().minus(Duration.ofDays(3)),
            now().minus(Duration.ofDays(1)));
    X509Certificate early =
        issue(
            root.resolve("early"),
            "r2",
            now().plus(Duration.ofDays(1)),
            now().plus(Duration.ofDays(3)));
    Path foreignFile =
        Files.writeString(root.resolve("foreign.pem"), TestCertificates.foreign("r2").get(1));
    X509Certificate foreign = TestCertificates.read(foreignFile);

    assertThat(material.refusal(List.of(good), Side.ACCEPTED)).isEmpty();
    assertThat(material.refusal(List.of(revoked), Side.ACCEPTED)).isEmpty();
    assertThat(material.refusal(List.of(expired), Side.ACCEPTED)).contains(Refusal.EXPIRED);
    assertThat(material.refusal(List.of(early), Side.DIALLED)).contains(Refusal.NOT_YET_VALID);
    assertThat(material.refusal(List.of(foreign), Side.ACCEPTED)).contains(Refusal.UNTRUSTED);
    assertThat(material.refusal(List.of(), Side.ACCEPTED)).contains(Refusal.NO_CERTIFICATE);

    // The revocation list is read again like the rest: a new list revokes at once.
    Files.writeString(
        crl, TestCertificates.revocationList(tls, List.of(revoked.getSerialNumber())));
    assertThat(material.reload()).isTrue();
    assertThat(material.refusal(List.of(revoked), Side.ACCEPTED)).contains(Refusal.REVOKED);
    assertThat(material.refusal(List.of(good), Side.ACCEPTED)).isEmpty();
    // A list another CA signed is refused; the one in force stays.
    Path otherCa = root.resolve("other-ca");
    DevelopmentCertificates.generate(otherCa, List.of("x"));
    Files.writeString(crl, TestCertificates.revocationList(otherCa, List.of()));
    assertThat(material.reload()).isFalse();
    assertThat(material.refusal(List.of(revoked), Side.ACCEPTED)).contains(Refusal.REVOKED);

    String refused = registry.scrape();
    assertThat(refused)
        .contains("reason=\"expired\",region=\"r1\",side=\"accepted\"} 1.0")
        .contains("reason=\"not_yet_valid\",region=\"r1\",side=\"dialled\"} 1.0")
        .contains("reason=\"untrusted\",region=\"r1\",side=\"accepted\"} 1.0")
        .contains("reason=\"revoked\",region=\"r1\",side=\"accepted\"} 2.0");
  }

  @Test
  void aHangupReadsTheFilesAgain() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TlsMaterial material = material(Optional.empty())) {
      // No periodic look in this test's lifetime: only the signal can reload.
      material.watch(vertx, TimeUnit.DAYS.toMillis(1));
      X509Certificate renewed =
          issue(tls, "r1", now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(2)));
      new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
          .inheritIO()
          .start()
          .waitFor(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!material.certificate().getSerialNumber().equals(renewed.getSerialNumber())
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(material.certificate().getSerialNumber()).isEqualTo(renewed.getSerialNumber());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
