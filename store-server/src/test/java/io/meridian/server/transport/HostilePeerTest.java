package io.meridian.server.transport;

import static io.meridian.server.transport.CertificateReloadTest.await;
import static io.meridian.server.transport.CertificateReloadTest.framed;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.proto.VersionVectorProto;
import io.meridian.replication.proto.EntryProto;
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
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-peer suite: region r1 (peers r2 and r3, a revocation list) is approached with a
 * certificate of another CA, one naming a region it does not know, an expired, a not-yet-valid and
 * a revoked one, frames sent under another region's name and frames whose entries claim an origin
 * they cannot have. Each is refused and counted, nothing is applied, and afterwards r2 with its own
 * certificate still gets in.
 */
class HostilePeerTest {
  @TempDir static Path root;
  private static Path tls;
  private static Path crl;
  private static Vertx vertx;
  private static Region r1;

  @BeforeAll
  static void start() throws Exception {
    tls = root.resolve("tls");
    DevelopmentCertificates.generate(tls, List.of("r1", "r2", "r3"));
    crl =
        Files.writeString(root.resolve("crl.pem"), TestCertificates.revocationList(tls, List.of()));
    vertx = Vertx.vertx();
    r1 =
        Region.start(
            vertx,
            RegionConfig.builder("r1", root.resolve("r1"))
                .peers(
                    Map.of("r2", new HostPort("127.0.0.1", 0), "r3", new HostPort("127.0.0.1", 0)))
                .tlsDirectory(tls)
                .tls(TlsOptions.plainHttp().withRevocationList(crl))
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    r1.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void nothingWasApplied() {
    assertThat(r1.scrape())
        .contains("meridian_updates_applied_total{origin=\"remote\",region=\"r1\"} 0.0");
  }

  /** Completed when r1 closes a socket {@link #connect} opened. */
  private static final Map<NetSocket, CompletableFuture<Void>> CLOSED = new ConcurrentHashMap<>();

  /** Connects to r1 with {@code options}: the socket, or null when the handshake failed. */
  private static NetSocket connect(NetClientOptions options) throws Exception {
    NetClient client = vertx.createNetClient(options);
    try {
      return client
          .connect(r1.replicationPort(), "127.0.0.1")
          .map(
              socket -> {
                // On the socket's event loop, before any close can be handled: a close handler set
                // later from the test's thread can miss a refusal that came first.
                CompletableFuture<Void> closed = new CompletableFuture<>();
                socket.closeHandler(v -> closed.complete(null));
                CLOSED.put(socket, closed);
                return socket;
              })
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return null;
    }
  }

  /** The client options of the material in {@code directory} for {@code region}. */
  private static NetClientOptions as(Path directory, String region) {
    return MutualTls.clientOptions(TlsDirectory.of(directory, region));
  }

  /** True once r1 has closed {@code socket}, or it never opened. */
  private static void assertRefused(NetSocket socket) throws Exception {
    if (socket == null) {
      return;
    }
    CompletableFuture<Void> closed = CLOSED.remove(socket);
    // A TLS 1.3 client finishes before the server has checked its certificate; the refusal is
    // then a close right after.
    socket.write(framed(heartbeat("r2")));
    closed.get(30, TimeUnit.SECONDS);
  }

  private static void awaitCount(String metric, String labels) throws InterruptedException {
    Pattern counted =
        Pattern.compile(Pattern.quote(metric + "{" + labels) + "[^}]*} [1-9][0-9]*\\.0");
    await(() -> counted.matcher(r1.scrape()).find());
  }

  private static Path issue(String name, String region, Instant from, Instant to) throws Exception {
    Path directory = root.resolve(name);
    TestCertificates.issue(tls, directory, region, from, to);
    return directory;
  }

  @Test
  void aCertificateOfAnotherCaIsRefusedAtTheHandshake() throws Exception {
    List<String> foreign = TestCertificates.foreign("r2");
    NetClientOptions options =
        as(tls, "r2")
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(foreign.get(1)))
                    .setKeyValue(Buffer.buffer(foreign.get(2))));
    assertRefused(connect(options));
    awaitCount("meridian_tls_refused_total", "material=\"replication\",reason=\"untrusted\"");
  }

  @Test
  void aValidCertificateNamingAnUnknownRegionIsRefused() throws Exception {
    Path other =
        issue(
            "r9", "r9", Instant.now().minus(Duration.ofHours(1)), Instant.now().plusSeconds(3600));
    assertRefused(connect(as(other, "r9")));
    awaitCount("meridian_tls_refused_total", "material=\"replication\",reason=\"identity\"");
  }

  @Test
  void expiredAndNotYetValidCertificatesAreRefusedAtTheHandshake() throws Exception {
    Path expired =
        issue(
            "expired",
            "r2",
            Instant.now().minus(Duration.ofDays(3)),
            Instant.now().minus(Duration.ofDays(1)));
    assertRefused(connect(as(expired, "r2")));
    awaitCount("meridian_tls_refused_total", "material=\"replication\",reason=\"expired\"");
    Path early =
        issue(
            "early",
            "r2",
            Instant.now().plus(Duration.ofDays(1)),
            Instant.now().plus(Duration.ofDays(3)));
    assertRefused(connect(as(early, "r2")));
    awaitCount("meridian_tls_refused_total", "material=\"replication\",reason=\"not_yet_valid\"");
  }

  @Test
  void aCertificateRevokedWhileConnectedIsCutOffAndRefusedAfterwards() throws Exception {
    Path revoked =
        issue(
            "revoked",
            "r3",
            Instant.now().minus(Duration.ofHours(1)),
            Instant.now().plusSeconds(3600));
    X509Certificate certificate = TestCertificates.read(revoked.resolve("r3.pem"));
    NetSocket open = connect(as(revoked, "r3"));
    assertThat(open).isNotNull();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    open.closeHandler(v -> closed.complete(null));
    Files.writeString(
        crl, TestCertificates.revocationList(tls, List.of(certificate.getSerialNumber())));
    closed.get(30, TimeUnit.SECONDS);
    assertRefused(connect(as(revoked, "r3")));
    awaitCount("meridian_tls_refused_total", "material=\"replication\",reason=\"revoked\"");
  }

  @Test
  void framesUnderAnotherRegionsNameOrClaimingAnImpossibleOriginAreDropped() throws Exception {
    double wrongSenderBefore = gauge("meridian_frames_wrong_sender{region=\"r1\"}");
    NetSocket asR3 = connect(as(tls, "r3"));
    assertThat(asR3).isNotNull();
    // r2's frames, replayed by r3: an entry of r2 and r2's heartbeat.
    asR3.write(framed(withEntry("r2", "r2", 1)));
    asR3.write(framed(heartbeat("r2")));
    await(() -> gauge("meridian_frames_wrong_sender{region=\"r1\"}") >= wrongSenderBefore + 2);

    // r2 itself, with entries that claim r1 (which never made them) and an unknown origin.
    NetSocket asR2 = connect(as(tls, "r2"));
    assertThat(asR2).isNotNull();
    asR2.write(framed(withEntry("r2", "r1", 1)));
    asR2.write(framed(withEntry("r2", "r9", 1)));
    await(() -> rejected() >= 2);

    // Afterwards r2 is still connected and r1 still serves.
    assertThat(r1.transport().connected("r2")).isTrue();
    assertThat(r1.owner()).isNotNull();
  }

  private static double rejected() {
    return r1.scrape()
        .lines()
        .filter(line -> line.startsWith("meridian_frames_rejected{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static double gauge(String series) {
    return r1.scrape()
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  private static VersionVectorProto vector(String replica, long counter) {
    return VersionVectorProto.newBuilder()
        .setFormatVersion(1)
        .addReplicas(replica)
        .addCounters(counter)
        .build();
  }

  private static FrameProto heartbeat(String sender) {
    return FrameProto.newBuilder().setProtocolVersion(1).setSender(sender).build();
  }

  private static FrameProto withEntry(String sender, String origin, long seq) {
    return FrameProto.newBuilder()
        .setProtocolVersion(1)
        .setSender(sender)
        .setHlc(1L << 20)
        .setApplied(vector(origin, seq))
        .addEntries(
            EntryProto.newBuilder()
                .setOrigin(origin)
                .setSeq(seq)
                .setHlc(1L << 20)
                .setDeps(VersionVectorProto.newBuilder().setFormatVersion(1)))
        .build();
  }
}
