package io.meridian.server.tls;

/**
 * A connection whose peer cannot be accepted as a region: no certificate, a certificate that names
 * no region or names one that is not configured. The connection must be closed without reading a
 * frame from it.
 */
public final class PeerRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  public PeerRejectedException(String message) {
    super(message);
  }

  public PeerRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
