package io.meridian.server.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a region uses TLS beyond its replication material ({@code --tls-dir}): whether its HTTP API
 * is served over TLS and with which material, and the revocation list its peers' certificates are
 * checked against. Immutable; {@link #equals} is structural.
 *
 * @param https serve the HTTP API over TLS (HTTP/2 by ALPN, HTTP/1.1 otherwise)
 * @param httpTlsDirectory where the HTTP API's {@code ca.pem}, {@code NAME.pem} and {@code
 *     NAME-key.pem} are; empty: the replication material's directory
 * @param revocationList a file of X.509 revocation lists (PEM or DER) signed by the CA, read again
 *     on change and on SIGHUP; empty: no certificate is revoked
 */
public record TlsOptions(
    boolean https, Optional<Path> httpTlsDirectory, Optional<Path> revocationList) {
  public TlsOptions {
    Objects.requireNonNull(httpTlsDirectory, "httpTlsDirectory");
    Objects.requireNonNull(revocationList, "revocationList");
  }

  /**
   * Plain HTTP, no revocation list: what a region built in code gets unless told otherwise. The
   * command line's {@code meridian server} serves HTTPS unless {@code --http-plain} is given.
   */
  public static TlsOptions plainHttp() {
    return new TlsOptions(false, Optional.empty(), Optional.empty());
  }

  /** HTTPS with the replication material, no revocation list. */
  public static TlsOptions httpsWithRegionMaterial() {
    return new TlsOptions(true, Optional.empty(), Optional.empty());
  }

  /** These options with the revocation list {@code file}. */
  public TlsOptions withRevocationList(Path file) {
    return new TlsOptions(https, httpTlsDirectory, Optional.of(file));
  }
}
