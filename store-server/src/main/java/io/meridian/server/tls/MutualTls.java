package io.meridian.server.tls;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import java.util.List;
import java.util.Locale;

/**
 * Vert.x options for the replication transport's mutual TLS. Both sides present their region
 * certificate and trust only the configured CA; the server requires a client certificate.
 *
 * <p>Hostname verification is off on purpose: a peer is identified by the region name in its
 * certificate ({@link PeerIdentity}), checked after the handshake against the name the connection
 * was meant for, never by the address it was reached at (API "Command line").
 *
 * <p>The TLS engine is BoringSSL through netty-tcnative where its native library loads, the JDK's
 * otherwise; {@link #engine()} chooses once, and the transport logs the choice. The system property
 * {@value #ENGINE_PROPERTY} ({@code jdk} or {@code openssl}) forces one.
 */
public final class MutualTls {
  /** How long a TLS handshake may take before the connection is dropped. */
  public static final long HANDSHAKE_TIMEOUT_SECONDS_MAX = 10;

  /** The system property that forces an engine: {@code jdk} or {@code openssl}. */
  public static final String ENGINE_PROPERTY = "meridian.tls.engine";

  /** Which implementation of TLS a connection uses. */
  public enum Engine {
    /** BoringSSL through netty-tcnative. */
    OPENSSL,
    /** The JDK's {@code SSLEngine}. */
    JDK;

    /** Vert.x's options for this engine. */
    SSLEngineOptions options() {
      return this == OPENSSL ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    }

    /**
     * As {@link #options()}, with BoringSSL's server-side session cache off. This does not stop
     * every resumption: CertificateReloadTest saw a client that had kept its session resume it
     * after a reload (by session ticket) and be shown the certificate of its first handshake. A
     * resumed session skips the trust manager, so the transport checks the peer's certificates
     * again after every handshake ({@link TlsMaterial#refusal}): a revoked or expired one is
     * refused either way.
     */
    SSLEngineOptions withoutResumption() {
      return this == OPENSSL
          ? new OpenSSLEngineOptions().setSessionCacheEnabled(false)
          : new JdkSSLEngineOptions();
    }

    /** A line for the log: the engine and, for BoringSSL, its version. */
    public String describe() {
      return this == OPENSSL ? "OpenSSL engine (" + OpenSsl.versionString() + ")" : "JDK engine";
    }
  }

  private static final class Chosen {
    static final Engine ENGINE = choose(System.getProperty(ENGINE_PROPERTY, ""));
  }

  private MutualTls() {}

  /**
   * The engine of this process: the one {@value #ENGINE_PROPERTY} names, else BoringSSL when it is
   * available, else the JDK's. Chosen once.
   *
   * @throws IllegalStateException when the property names an unknown engine, or {@code openssl}
   *     where it does not load
   */
  public static Engine engine() {
    return Chosen.ENGINE;
  }

  static Engine choose(String forced) {
    String name = forced.strip().toLowerCase(Locale.ROOT);
    boolean openSsl = OpenSSLEngineOptions.isAvailable();
    return switch (name) {
      case "" -> openSsl ? Engine.OPENSSL : Engine.JDK;
      case "jdk" -> Engine.JDK;
      case "openssl" -> {
        if (!openSsl) {
          throw new IllegalStateException(
              ENGINE_PROPERTY
                  + "=openssl, but it does not load here: "
                  + OpenSsl.unavailabilityCause());
        }
        yield Engine.OPENSSL;
      }
      default ->
          throw new IllegalStateException(
              ENGINE_PROPERTY + " must be jdk or openssl, not '" + forced + "'");
    };
  }

  /** Options for the replication listener of the region whose material is {@code tls}. */
  public static NetServerOptions serverOptions(TlsDirectory tls) {
    return serverOptions(tls, engine());
  }

  /** As {@link #serverOptions(TlsDirectory)}, with the given engine. */
  public static NetServerOptions serverOptions(TlsDirectory tls, Engine engine) {
    return server(engine.options(), keyCert(tls), trust(tls));
  }

  /** Options for the connections the region whose material is {@code tls} opens to peers. */
  public static NetClientOptions clientOptions(TlsDirectory tls) {
    return clientOptions(tls, engine());
  }

  /** As {@link #clientOptions(TlsDirectory)}, with the given engine. */
  public static NetClientOptions clientOptions(TlsDirectory tls, Engine engine) {
    return client(engine.options(), keyCert(tls), trust(tls));
  }

  /**
   * Options for the replication listener that take their key, CA and revocation list from {@code
   * material} at each handshake (reloaded without a restart).
   */
  public static NetServerOptions serverOptions(TlsMaterial material) {
    return server(engine().withoutResumption(), material.keyCertOptions(), material.trustOptions());
  }

  /** As {@link #serverOptions(TlsMaterial)}, for the connections a region opens to peers. */
  public static NetClientOptions clientOptions(TlsMaterial material) {
    return client(engine().withoutResumption(), material.keyCertOptions(), material.trustOptions());
  }

  private static NetServerOptions server(
      SSLEngineOptions engine, KeyCertOptions key, TrustOptions trust) {
    return new NetServerOptions()
        .setSsl(true)
        .setSslEngineOptions(engine)
        .setKeyCertOptions(key)
        .setTrustOptions(trust)
        .setClientAuth(ClientAuth.REQUIRED)
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS_MAX);
  }

  private static NetClientOptions client(
      SSLEngineOptions engine, KeyCertOptions key, TrustOptions trust) {
    return new NetClientOptions()
        .setSsl(true)
        .setSslEngineOptions(engine)
        .setKeyCertOptions(key)
        .setTrustOptions(trust)
        .setHostnameVerificationAlgorithm("")
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS_MAX);
  }

  /**
   * {@code options} serving HTTPS with {@code material}'s key and certificate (reloaded without a
   * restart): HTTP/2 to clients that offer {@code h2} by ALPN, HTTP/1.1 to the others; no client
   * certificate is asked for.
   */
  public static HttpServerOptions https(HttpServerOptions options, TlsMaterial material) {
    return options
        .setSsl(true)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setSslEngineOptions(engine().options())
        .setKeyCertOptions(material.keyCertOptions())
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS_MAX);
  }

  private static PemKeyCertOptions keyCert(TlsDirectory tls) {
    return new PemKeyCertOptions()
        .setCertPath(tls.certificate().toString())
        .setKeyPath(tls.privateKey().toString());
  }

  private static PemTrustOptions trust(TlsDirectory tls) {
    return new PemTrustOptions().addCertPath(tls.caCertificate().toString());
  }
}
