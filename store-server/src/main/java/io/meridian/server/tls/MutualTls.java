package io.meridian.server.tls;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * Vert.x options for the replication transport's mutual TLS. Both sides present their region
 * certificate and trust only the configured CA; the server requires a client certificate.
 *
 * <p>Hostname verification is off on purpose: a peer is identified by the region name in its
 * certificate ({@link PeerIdentity}), checked after the handshake against the name the connection
 * was meant for, never by the address it was reached at (API "Command line").
 */
public final class MutualTls {
  /** How long a TLS handshake may take before the connection is dropped. */
  public static final long HANDSHAKE_TIMEOUT_SECONDS_MAX = 10;

  private MutualTls() {}

  /** Options for the replication listener of the region whose material is {@code tls}. */
  public static NetServerOptions serverOptions(TlsDirectory tls) {
    return new NetServerOptions()
        .setSsl(true)
        .setKeyCertOptions(keyCert(tls))
        .setTrustOptions(trust(tls))
        .setClientAuth(ClientAuth.REQUIRED)
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS_MAX);
  }

  /** Options for the connections the region whose material is {@code tls} opens to peers. */
  public static NetClientOptions clientOptions(TlsDirectory tls) {
    return new NetClientOptions()
        .setSsl(true)
        .setKeyCertOptions(keyCert(tls))
        .setTrustOptions(trust(tls))
        .setHostnameVerificationAlgorithm("")
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
