package io.meridian.server.tls;

import io.meridian.clocks.ReplicaIds;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A development certificate authority for mutual TLS between regions, made with BouncyCastle: a
 * self-signed CA ({@code ca.pem}, {@code ca-key.pem}) and, per region, {@code NAME.pem} and {@code
 * NAME-key.pem} (a PKCS#8 PEM key). A region certificate carries the region's name as its common
 * name and as a DNS subject alternative name, and is valid for both server and client
 * authentication, since every region is both. It also names {@code localhost}, {@code 127.0.0.1}
 * and {@code ::1}, so that the same file serves a region's HTTPS API on this machine (a client
 * checks those names; a peer checks the region name). Keys are ECDSA on P-256.
 *
 * <p>For development and tests only: the CA key sits beside the certificates. An existing CA in the
 * directory is reused, and a region that already has both files keeps them (unless its certificate
 * lacks the {@code localhost} name, as made before HTTPS existed: then it is issued again), so
 * running it again to add a region keeps the others valid.
 */
public final class DevelopmentCertificates {
  /** How long the certificates made here stay valid. */
  public static final Duration VALIDITY = Duration.ofDays(3650);

  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String LOCALHOST = "localhost";
  private static final int SUBJECT_ALTERNATIVE_NAME_DNS = 2;

  private DevelopmentCertificates() {}

  /**
   * Writes the CA (when missing) and the certificates of {@code regions} (when missing) into {@code
   * directory}.
   *
   * @return the files written, in order; empty when everything was there already
   * @throws IllegalArgumentException when a region name is invalid or no region is given
   * @throws IOException when a file cannot be read or written
   */
  public static List<Path> generate(Path directory, List<String> regions) throws IOException {
    Objects.requireNonNull(directory, "directory");
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("at least one region is needed");
    }
    regions.forEach(ReplicaIds::require);
    Files.createDirectories(directory);
    List<Path> written = new ArrayList<>();
    try {
      Path caCertificateFile = directory.resolve("ca.pem");
      Path caKeyFile = directory.resolve("ca-key.pem");
      boolean newAuthority = !Files.exists(caCertificateFile) || !Files.exists(caKeyFile);
      Authority authority;
      if (newAuthority) {
        authority = createAuthority();
        writePem(caCertificateFile, "CERTIFICATE", authority.certificate.getEncoded(), false);
        writePem(caKeyFile, "PRIVATE KEY", authority.privateKey.getEncoded(), true);
        written.add(caCertificateFile);
        written.add(caKeyFile);
      } else {
        authority = readAuthority(caCertificateFile, caKeyFile);
      }
      for (String region : regions) {
        Path certificateFile = directory.resolve(region + ".pem");
        Path keyFile = directory.resolve(region + "-key.pem");
        if (!newAuthority
            && Files.exists(certificateFile)
            && Files.exists(keyFile)
            && namesLocalhost(certificateFile)) {
          continue;
        }
        KeyPair pair = newKeyPair();
        X509Certificate certificate = issue(authority, region, pair.getPublic());
        writePem(certificateFile, "CERTIFICATE", certificate.getEncoded(), false);
        writePem(keyFile, "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
        written.add(certificateFile);
        written.add(keyFile);
      }
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot make certificates: " + e.getMessage(), e);
    }
    return written;
  }

  /**
   * A CA that is not the one in any directory, with a certificate for {@code region}: PEM texts of
   * the CA certificate, the region certificate and its key (for tests of rejection).
   */
  static List<String> foreignRegionPems(String region)
      throws GeneralSecurityException, IOException {
    try {
      Authority authority = createAuthority();
      KeyPair pair = newKeyPair();
      X509Certificate certificate = issue(authority, region, pair.getPublic());
      return List.of(
          pem("CERTIFICATE", authority.certificate.getEncoded()),
          pem("CERTIFICATE", certificate.getEncoded()),
          pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /**
   * Issues a certificate for {@code region} from the CA in {@code caDirectory}, valid from {@code
   * notBefore} to {@code notAfter}, written as {@code NAME.pem} and {@code NAME-key.pem} into
   * {@code out} with a copy of {@code ca.pem} (for tests of expiry and rotation).
   *
   * @return the new certificate
   */
  static X509Certificate issueInto(
      Path caDirectory, Path out, String region, Instant notBefore, Instant notAfter)
      throws IOException, GeneralSecurityException {
    Authority authority =
        readAuthority(caDirectory.resolve("ca.pem"), caDirectory.resolve("ca-key.pem"));
    Files.createDirectories(out);
    KeyPair pair = newKeyPair();
    X509Certificate certificate;
    try {
      certificate =
          issue(authority, region, pair.getPublic(), Date.from(notBefore), Date.from(notAfter));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
    writePem(out.resolve("ca.pem"), "CERTIFICATE", authority.certificate.getEncoded(), false);
    writePem(out.resolve(region + ".pem"), "CERTIFICATE", certificate.getEncoded(), false);
    writePem(out.resolve(region + "-key.pem"), "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
    return certificate;
  }

  /**
   * A revocation list (PEM) of the CA in {@code caDirectory} that revokes {@code serials}, next
   * update in a day (for tests of revocation).
   */
  static String revocationList(Path caDirectory, List<BigInteger> serials)
      throws IOException, GeneralSecurityException {
    Authority authority =
        readAuthority(caDirectory.resolve("ca.pem"), caDirectory.resolve("ca-key.pem"));
    Instant now = Instant.now();
    org.bouncycastle.cert.X509v2CRLBuilder builder =
        new org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder(
            authority.certificate, Date.from(now.minus(Duration.ofMinutes(5))));
    builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
    for (BigInteger serial : serials) {
      builder.addCRLEntry(serial, Date.from(now.minus(Duration.ofMinutes(5))), 0);
    }
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(authority.privateKey);
      return pem("X509 CRL", builder.build(signer).getEncoded());
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private record Authority(X509Certificate certificate, PrivateKey privateKey) {}

  private static Authority createAuthority()
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    KeyPair pair = newKeyPair();
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Meridian development")
            .addRDN(BCStyle.CN, "Meridian development CA")
            .build();
    Instant now = Instant.now();
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                name, serial(), notBefore(now), notAfter(now), name, pair.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                extensions.createSubjectKeyIdentifier(pair.getPublic()));
    return new Authority(sign(builder, pair.getPrivate()), pair.getPrivate());
  }

  private static X509Certificate issue(Authority authority, String region, PublicKey publicKey)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    Instant now = Instant.now();
    return issue(authority, region, publicKey, notBefore(now), notAfter(now));
  }

  private static X509Certificate issue(
      Authority authority, String region, PublicKey publicKey, Date notBefore, Date notAfter)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Meridian development")
            .addRDN(BCStyle.CN, region)
            .build();
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                authority.certificate, serial(), notBefore, notAfter, subject, publicKey)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(
                Extension.keyUsage,
                true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(
                    new KeyPurposeId[] {
                      KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(
                    new GeneralName[] {
                      new GeneralName(GeneralName.dNSName, region),
                      new GeneralName(GeneralName.dNSName, LOCALHOST),
                      new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                      new GeneralName(GeneralName.iPAddress, "::1")
                    }))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                extensions.createSubjectKeyIdentifier(publicKey))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                extensions.createAuthorityKeyIdentifier(authority.certificate));
    return sign(builder, authority.privateKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static Date notBefore(Instant now) {
    // An hour of slack for peers whose clocks run behind.
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static Date notAfter(Instant now) {
    return Date.from(now.plus(VALIDITY));
  }

  private static Authority readAuthority(Path certificateFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    X509Certificate certificate;
    try (var input = Files.newInputStream(certificateFile)) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(input);
    }
    byte[] keyBytes = readPem(keyFile, "PRIVATE KEY");
    PrivateKey key =
        KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(keyBytes));
    return new Authority(certificate, key);
  }

  private static boolean namesLocalhost(Path certificateFile)
      throws IOException, GeneralSecurityException {
    X509Certificate certificate;
    try (var input = Files.newInputStream(certificateFile)) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(input);
    }
    var names = certificate.getSubjectAlternativeNames();
    return names != null
        && names.stream()
            .anyMatch(
                name ->
                    name.size() == 2
                        && Integer.valueOf(SUBJECT_ALTERNATIVE_NAME_DNS).equals(name.get(0))
                        && LOCALHOST.equals(name.get(1)));
  }

  private static byte[] readPem(Path file, String type) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PemReader pemReader = new PemReader(reader)) {
      PemObject object = pemReader.readPemObject();
      if (object == null || !type.equals(object.getType())) {
        throw new IOException(file + " holds no PEM " + type);
      }
      return object.getContent();
    }
  }

  private static String pem(String type, byte[] content) throws IOException {
    StringWriter text = new StringWriter();
    try (PemWriter writer = new PemWriter(text)) {
      writer.writeObject(new PemObject(type, content));
    }
    return text.toString();
  }

  private static void writePem(Path file, String type, byte[] content, boolean secret)
      throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.US_ASCII)) {
      writer.write(pem(type, content));
    }
    if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
    }
    Files.move(
        temporary,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
