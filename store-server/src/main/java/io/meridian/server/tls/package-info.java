/**
 * Mutual TLS between regions: {@link io.meridian.server.tls.DevelopmentCertificates} makes a
 * development CA and one certificate per region (BouncyCastle), {@link
 * io.meridian.server.tls.TlsDirectory} finds a region's material in a {@code --tls-dir}, {@link
 * io.meridian.server.tls.MutualTls} turns it into Vert.x server and client options, and {@link
 * io.meridian.server.tls.PeerIdentity} names the peer at the other end of a connection from its
 * certificate (never from its address), refusing names that are not configured regions.
 */
package io.meridian.server.tls;
