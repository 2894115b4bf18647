package io.meridian.server.tls;

import io.meridian.clocks.ReplicaIds;
import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Names the region at the other end of a mutually authenticated connection. The TLS handshake has
 * already checked that the CA signed the peer's certificate; this checks what the certificate says:
 * its common name must be a valid region name, be among its DNS subject alternative names, and be
 * one of the regions this region is configured with.
 */
public final class PeerIdentity {
  private static final int SUBJECT_ALTERNATIVE_NAME_DNS = 2;

  private PeerIdentity() {}

  /**
   * The region name of the peer of {@code socket}.
   *
   * @throws PeerRejectedException when the socket is not TLS, shows no certificate, or the
   *     certificate names no region in {@code knownRegions}
   */
  public static String authenticate(NetSocket socket, Set<String> knownRegions)
      throws PeerRejectedException {
    if (!socket.isSsl()) {
      throw new PeerRejectedException("connection is not TLS");
    }
    List<Certificate> chain;
    try {
      chain = socket.peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw new PeerRejectedException("peer presented no verified certificate", e);
    }
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
      throw new PeerRejectedException("peer presented no X.509 certificate");
    }
    return regionOf(leaf, knownRegions);
  }

  /** The region {@code certificate} names, if it is one of {@code knownRegions}. */
  public static String regionOf(X509Certificate certificate, Set<String> knownRegions)
      throws PeerRejectedException {
    String commonName = commonName(certificate);
    if (!ReplicaIds.isValid(commonName)) {
      throw new PeerRejectedException("certificate common name is not a region name");
    }
    if (!dnsNames(certificate).contains(commonName)) {
      throw new PeerRejectedException(
          "certificate for " + commonName + " lacks the name as a DNS subject alternative name");
    }
    if (!knownRegions.contains(commonName)) {
      throw new PeerRejectedException("region " + commonName + " is not a configured region");
    }
    return commonName;
  }

  private static String commonName(X509Certificate certificate) throws PeerRejectedException {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      String found = null;
      for (Rdn rdn : name.getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          if (found != null) {
            throw new PeerRejectedException("certificate has more than one common name");
          }
          found = String.valueOf(rdn.getValue());
        }
      }
      if (found == null) {
        throw new PeerRejectedException("certificate has no common name");
      }
      return found;
    } catch (InvalidNameException e) {
      throw new PeerRejectedException("certificate subject cannot be parsed", e);
    }
  }

  private static List<String> dnsNames(X509Certificate certificate) throws PeerRejectedException {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new PeerRejectedException("certificate alternative names cannot be parsed", e);
    }
    if (names == null) {
      return List.of();
    }
    return names.stream()
        .filter(
            entry ->
                entry.size() == 2
                    && Integer.valueOf(SUBJECT_ALTERNATIVE_NAME_DNS).equals(entry.get(0)))
        .map(entry -> String.valueOf(entry.get(1)))
        .toList();
  }
}
