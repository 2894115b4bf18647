package io.meridian.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.server.tls.MutualTls.Engine;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mutual TLS on 127.0.0.1, port 0: who gets in, and under which name; with each engine (BoringSSL
 * and the JDK's), a server per engine, and across engines.
 */
class MutualTlsTest {
  @TempDir static Path tlsDirectory;

  private static Vertx vertx;
  private static final Map<Engine, NetServer> servers = new EnumMap<>(Engine.class);
  private static final List<String> accepted = new CopyOnWriteArrayList<>();
  private static final List<String> rejected = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startRegionA() throws Exception {
    DevelopmentCertificates.generate(tlsDirectory, List.of("a", "b", "c"));
    vertx = Vertx.vertx();
    for (Engine engine : Engine.values()) {
      servers.put(engine, startServer(engine));
    }
  }

  private static NetServer startServer(Engine engine) throws Exception {
    Set<String> peersOfA = Set.of("b");
    return vertx
        .createNetServer(MutualTls.serverOptions(TlsDirectory.of(tlsDirectory, "a"), engine))
        .connectHandler(
            socket -> {
              try {
                String peer = PeerIdentity.authenticate(socket, peersOfA);
                accepted.add(peer);
                socket.write("welcome " + peer + "\n");
              } catch (PeerRejectedException e) {
                rejected.add(e.getMessage());
                socket.close();
              }
            })
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** What a client saw: the server's line, "closed" when it was cut off, or "failed: ...". */
  private static String connect(
      NetClientOptions options, Engine serverEngine, Set<String> expectedServer) throws Exception {
    CompletableFuture<String> outcome = new CompletableFuture<>();
    // Held until the end: Vert.x closes a client, and its connections, once it is unreachable.
    NetClient client = vertx.createNetClient(options);
    client
        .connect(servers.get(serverEngine).actualPort(), "127.0.0.1")
        .onFailure(e -> outcome.complete("failed: " + e.getMessage()))
        .onSuccess(
            socket -> {
              try {
                String serverName = PeerIdentity.authenticate(socket, expectedServer);
                assertThat(serverName).isEqualTo("a");
              } catch (PeerRejectedException e) {
                outcome.complete("server rejected: " + e.getMessage());
                socket.close();
                return;
              }
              readLine(socket, outcome);
            });
    try {
      return outcome.get(30, TimeUnit.SECONDS);
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** {@link #connect} as region {@code region} with its own material, expecting server a. */
  private static String connectAs(String region, Engine clientEngine, Engine serverEngine)
      throws Exception {
    return connect(
        MutualTls.clientOptions(TlsDirectory.of(tlsDirectory, region), clientEngine),
        serverEngine,
        Set.of("a"));
  }

  private static void readLine(NetSocket socket, CompletableFuture<String> outcome) {
    Buffer received = Buffer.buffer();
    socket.handler(
        data -> {
          received.appendBuffer(data);
          String text = received.toString(StandardCharsets.UTF_8);
          if (text.endsWith("\n")) {
            outcome.complete(text.strip());
            socket.close();
          }
        });
    socket.closeHandler(ignored -> outcome.complete("closed"));
    socket.exceptionHandler(e -> outcome.complete("failed: " + e.getMessage()));
  }

  @Test
  void boringSslLoadsOnLinuxX8664AndIsTheDefaultThere() {
    assumeTrue(
        System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            && System.getProperty("os.arch").equals("amd64"),
        "netty-tcnative's native library is packaged for linux-x86_64 only");
    assertThat(OpenSSLEngineOptions.isAvailable()).isTrue();
    assertThat(MutualTls.choose("")).isEqualTo(Engine.OPENSSL);
    assertThat(MutualTls.choose(" OpenSSL ")).isEqualTo(Engine.OPENSSL);
  }

  @Test
  void theEngineCanBeForcedAndAnUnknownOneIsRefused() {
    assertThat(MutualTls.choose("jdk")).isEqualTo(Engine.JDK);
    assertThatThrownBy(() -> MutualTls.choose("gnutls"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(MutualTls.ENGINE_PROPERTY);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aConfiguredRegionWithACertificateFromTheCaIsIdentified(Engine engine) throws Exception {
    int acceptedBefore = accepted.size();
    String outcome = connectAs("b", engine, engine);
    assertThat(outcome).isEqualTo("welcome b");
    assertThat(accepted.subList(acceptedBefore, accepted.size())).contains("b");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aClientOfOneEngineIsIdentifiedByAServerOfTheOther(Engine clientEngine) throws Exception {
    Engine serverEngine = clientEngine == Engine.JDK ? Engine.OPENSSL : Engine.JDK;
    String outcome = connectAs("b", clientEngine, serverEngine);
    assertThat(outcome).isEqualTo("welcome b");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aRegionThatIsNotConfiguredIsRejectedByName(Engine engine) throws Exception {
    int rejectedBefore = rejected.size();
    String outcome = connectAs("c", engine, engine);
    assertThat(outcome).isEqualTo("closed");
    assertThat(accepted).doesNotContain("c");
    assertThat(rejected.subList(rejectedBefore, rejected.size()))
        .anyMatch(message -> message.contains("region c is not a configured region"));
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aCertificateFromAnotherCaIsRejectedInTheHandshake(Engine engine) throws Exception {
    List<String> foreign = DevelopmentCertificates.foreignRegionPems("b");
    int acceptedBefore = accepted.size();
    int rejectedBefore = rejected.size();
    NetClientOptions options =
        MutualTls.clientOptions(TlsDirectory.of(tlsDirectory, "b"), engine)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(foreign.get(1)))
                    .setKeyValue(Buffer.buffer(foreign.get(2))));
    String outcome = connect(options, engine, Set.of("a"));
    assertThat(outcome).matches("closed|failed: .*");
    assertThat(accepted).hasSize(acceptedBefore);
    // The handshake failed, so the connection never reached the region's handler.
    assertThat(rejected).hasSize(rejectedBefore);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aClientRefusesAServerWhoseCertificateAnotherCaSigned(Engine engine) throws Exception {
    List<String> foreign = DevelopmentCertificates.foreignRegionPems("b");
    NetClientOptions options =
        MutualTls.clientOptions(TlsDirectory.of(tlsDirectory, "b"), engine)
            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(foreign.get(0))));
    assertThat(connect(options, engine, Set.of("a"))).startsWith("failed: ");
  }

  @Test
  void theCertificateNamesTheRegionAsCommonNameAndDnsName() throws Exception {
    X509Certificate certificate =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(Files.readAllBytes(tlsDirectory.resolve("b.pem"))));
    assertThat(PeerIdentity.regionOf(certificate, Set.of("b"))).isEqualTo("b");
    assertThat(certificate.getExtendedKeyUsage())
        .contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThatThrownBy(() -> PeerIdentity.regionOf(certificate, Set.of("a", "c")))
        .isInstanceOf(PeerRejectedException.class);
    assertThat(Files.readString(tlsDirectory.resolve("b-key.pem")))
        .startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void runningAgainKeepsTheCaAndExistingRegionsAndAddsNewOnes() throws Exception {
    byte[] caBefore = Files.readAllBytes(tlsDirectory.resolve("ca.pem"));
    byte[] bBefore = Files.readAllBytes(tlsDirectory.resolve("b.pem"));
    List<Path> written = DevelopmentCertificates.generate(tlsDirectory, List.of("b", "d"));
    assertThat(written)
        .containsExactly(tlsDirectory.resolve("d.pem"), tlsDirectory.resolve("d-key.pem"));
    assertThat(Files.readAllBytes(tlsDirectory.resolve("ca.pem"))).isEqualTo(caBefore);
    assertThat(Files.readAllBytes(tlsDirectory.resolve("b.pem"))).isEqualTo(bBefore);
  }

  @Test
  void missingMaterialIsNamed() {
    assertThatThrownBy(() -> TlsDirectory.of(tlsDirectory, "zz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zz.pem");
  }
}
