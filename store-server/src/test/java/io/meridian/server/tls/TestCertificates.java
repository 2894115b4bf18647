package io.meridian.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for tests of expiry, rotation and revocation, from the development CA of a directory
 * that {@link DevelopmentCertificates#generate} made.
 */
public final class TestCertificates {
  private TestCertificates() {}

  /**
   * Issues a certificate for {@code region}, valid from {@code notBefore} to {@code notAfter}, into
   * {@code out} ({@code ca.pem}, {@code NAME.pem}, {@code NAME-key.pem}).
   */
  public static X509Certificate issue(
      Path caDirectory, Path out, String region, Instant notBefore, Instant notAfter)
      throws IOException, GeneralSecurityException {
    return DevelopmentCertificates.issueInto(caDirectory, out, region, notBefore, notAfter);
  }

  /** A PEM revocation list of the CA of {@code caDirectory} naming {@code serials}. */
  public static String revocationList(Path caDirectory, List<BigInteger> serials)
      throws IOException, GeneralSecurityException {
    return DevelopmentCertificates.revocationList(caDirectory, serials);
  }

  /**
   * The PEM texts of a CA that no directory knows and a certificate it issued for {@code region}.
   */
  public static List<String> foreign(String region) throws IOException, GeneralSecurityException {
    return DevelopmentCertificates.foreignRegionPems(region);
  }

  /** The certificate in {@code file} (the first, for a chain). */
  public static X509Certificate read(Path file) throws IOException, GeneralSecurityException {
    try (InputStream input = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(input);
    }
  }

  /** A TLS context that trusts exactly the certificates of {@code caFile}. */
  public static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", read(caFile));
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
