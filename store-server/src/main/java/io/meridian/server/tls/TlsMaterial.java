package io.meridian.server.tls;

import io.meridian.server.auth.HangupSignal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * A region's TLS material, read again without a restart: the key and certificate it presents and
 * the CA (and, for peers, the revocation list) it checks others against. TLS connections take it
 * through {@link #keyCertOptions()} and {@link #trustOptions()}, a key manager and a trust manager
 * that read the material in force at each handshake, so a reload changes what new connections
 * present and accept while connections already open keep going.
 *
 * <p>Reload: the files are looked at every {@value #RELOAD_INTERVAL_MILLIS} ms and on SIGHUP;
 * unchanged bytes do nothing. New files must hold a key that matches the certificate, a certificate
 * the CA signed that is valid now (and, for peer material, names the region), and a revocation list
 * the CA signed; otherwise the material in force stays, the failure is logged once and counted
 * ({@code meridian_tls_reloads_total{result="failed"}}, {@code meridian_tls_material_valid} 0). An
 * operator who replaces the certificate and the key one after the other is therefore safe: the
 * half-replaced pair is refused until both are in place.
 *
 * <p>Checks of a presented certificate, in order, each refusal counted in {@code
 * meridian_tls_refused_total{reason,side}}: a certificate at all ({@code no_certificate}), the
 * leaf's validity now ({@code expired}, {@code not_yet_valid}), a chain to the CA ({@code
 * untrusted}), the leaf not in the revocation list ({@code revoked}). {@link #refusal} runs the
 * same checks after the handshake, so a resumed TLS session or a connection opened before a
 * revocation is caught too.
 */
public final class TlsMaterial implements AutoCloseable {
  /** How often the files are looked at. */
  public static final long RELOAD_INTERVAL_MILLIS = 2_000;

  /** The largest file read as TLS material or revocation list. */
  public static final long FILE_BYTES_MAX = 4L << 20;

  /** Which end of a connection checked a certificate. */
  public enum Side {
    /** The listener, checking a client's certificate. */
    ACCEPTED,
    /** The dialler, checking a server's certificate. */
    DIALLED;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Why a presented certificate was refused. */
  public enum Refusal {
    /** No certificate, or not X.509. */
    NO_CERTIFICATE,
    /** The leaf's notAfter has passed. */
    EXPIRED,
    /** The leaf's notBefore is still to come. */
    NOT_YET_VALID,
    /** No chain to the configured CA. */
    UNTRUSTED,
    /** The leaf is in the revocation list. */
    REVOKED,
    /** The certificate names no configured region, or another region than the one dialled. */
    IDENTITY;

    /** The metric's tag value. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Logger LOG = Logger.getLogger(TlsMaterial.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TlsDirectory directory;
  private final Optional<Path> revocationList;
  private final boolean peer;
  private final String name;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final String region;
  private final Counter reloadsOk;
  private final Counter reloadsFailed;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong generation = new AtomicLong();
  private final KeyManager keyManager = new KeyManager();
  private final TrustManagerImpl trustManager = new TrustManagerImpl();
  private volatile Snapshot current;
  private volatile Snapshot previous;
  private volatile boolean valid = true;
  private String lastFailure;
  private Runnable hangup;
  private Vertx vertx;
  private long timer = -1;

  /** The material in force: what was read from the files, checked. */
  private record Snapshot(
      String alias,
      List<byte[]> bytes,
      PrivateKey key,
      X509Certificate[] chain,
      X509TrustManager pkix,
      List<X509CRL> revocations) {}

  private TlsMaterial(
      TlsDirectory directory,
      Optional<Path> revocationList,
      boolean peer,
      String name,
      MeterRegistry registry) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.revocationList = Objects.requireNonNull(revocationList, "revocationList");
    this.peer = peer;
    this.name = name;
    this.registry = registry;
    this.region = directory.region();
    this.current = read();
    this.reloadsOk =
        Counter.builder("meridian.tls.reloads")
            .description("TLS material reads that put new material in force, or failed")
            .tag("region", region)
            .tag("material", name)
            .tag("result", "ok")
            .register(registry);
    this.reloadsFailed =
        Counter.builder("meridian.tls.reloads")
            .tag("region", region)
            .tag("material", name)
            .tag("result", "failed")
            .register(registry);
    Gauge.builder("meridian.tls.material.valid", this, material -> material.valid ? 1 : 0)
        .description(
            "1 while the TLS files' last read was accepted, 0 while older material is used")
        .tag("region", region)
        .tag("material", name)
        .register(registry);
    Gauge.builder(
            "meridian.tls.certificate.expiry.seconds",
            this,
            material -> material.current.chain[0].getNotAfter().getTime() / 1000.0)
        .description("when the certificate in force expires, in seconds since the epoch")
        .tag("region", region)
        .tag("material", name)
        .register(registry);
    for (Refusal reason : Refusal.values()) {
      for (Side side : Side.values()) {
        counter(reason, side);
      }
    }
  }

  /**
   * The material a region uses for replication: its certificate must name the region, and peers'
   * certificates are checked against the CA and {@code revocationList}.
   *
   * @throws IllegalArgumentException naming what is wrong with the files: a region does not start
   *     on material it would refuse on a reload
   */
  public static TlsMaterial forPeers(
      TlsDirectory directory, Optional<Path> revocationList, MeterRegistry registry) {
    return new TlsMaterial(directory, revocationList, true, "replication", registry);
  }

  /**
   * The material of an HTTPS listener: any certificate the CA signed (clients check its host
   * names); no client certificates are asked for.
   *
   * @throws IllegalArgumentException naming what is wrong with the files
   */
  public static TlsMaterial forHttp(TlsDirectory directory, MeterRegistry registry) {
    return new TlsMaterial(directory, Optional.empty(), false, "http", registry);
  }

  /** Starts looking at the files every {@value #RELOAD_INTERVAL_MILLIS} ms and on SIGHUP. */
  public TlsMaterial watch(Vertx owner) {
    return watch(owner, RELOAD_INTERVAL_MILLIS);
  }

  /** As {@link #watch(Vertx)}, looking at the files every {@code intervalMillis} (tests). */
  synchronized TlsMaterial watch(Vertx owner, long intervalMillis) {
    if (vertx != null) {
      return this;
    }
    vertx = owner;
    hangup = this::reload;
    HangupSignal.add(hangup);
    timer = owner.setPeriodic(intervalMillis, id -> owner.executeBlocking(this::reload, false));
    return this;
  }

  /** Runs {@code listener} after every reload that put new material in force. */
  public void onReload(Runnable listener) {
    listeners.add(listener);
  }

  /** The key manager, for a server's or a client's TLS options. */
  public KeyCertOptions keyCertOptions() {
    // Through a factory: Vert.x's wrapper of a bare key manager needs SLF4J, absent here.
    return KeyCertOptions.wrap(new SingleKeyManagerFactory(keyManager));
  }

  /** The trust manager (CA, validity, revocation, counted refusals), for TLS options. */
  public TrustOptions trustOptions() {
    return TrustOptions.wrap(new SingleTrustManagerFactory(trustManager));
  }

  /** A factory that hands out one key manager. */
  private static final class SingleKeyManagerFactory extends KeyManagerFactory {
    SingleKeyManagerFactory(KeyManager manager) {
      super(
          new KeyManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore store, char[] password) {}

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {}

            @Override
            protected javax.net.ssl.KeyManager[] engineGetKeyManagers() {
              return new javax.net.ssl.KeyManager[] {manager};
            }
          },
          null,
          "meridian");
    }
  }

  /** A factory that hands out one trust manager. */
  private static final class SingleTrustManagerFactory extends TrustManagerFactory {
    SingleTrustManagerFactory(X509ExtendedTrustManager manager) {
      super(
          new TrustManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore store) {}

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {}

            @Override
            protected TrustManager[] engineGetTrustManagers() {
              return new TrustManager[] {manager};
            }
          },
          null,
          "meridian");
    }
  }

  /** The certificate presented on new connections. */
  public X509Certificate certificate() {
    return current.chain[0];
  }

  /** Whether the files' last read was accepted (false: older material is in force). */
  public boolean valid() {
    return valid;
  }

  /**
   * Reads the files again; when their bytes changed and they are acceptable, puts them in force,
   * else keeps the material in force and reports the failure.
   *
   * @return whether new material was put in force
   */
  public synchronized boolean reload() {
    Snapshot read;
    try {
      List<byte[]> bytes = readAll();
      if (valid && sameBytes(bytes, current.bytes)) {
        return false;
      }
      read = parse(bytes);
    } catch (IllegalArgumentException e) {
      valid = false;
      reloadsFailed.increment();
      if (!e.getMessage().equals(lastFailure)) {
        lastFailure = e.getMessage();
        LOG.severe(
            "meridian: region "
                + region
                + ": the "
                + name
                + " TLS material could not be read again; the material read before stays in"
                + " force: "
                + e.getMessage());
      }
      return false;
    }
    boolean changed = !sameBytes(read.bytes, current.bytes);
    lastFailure = null;
    valid = true;
    if (!changed) {
      return false;
    }
    previous = current;
    current = read;
    reloadsOk.increment();
    LOG.info(
        "meridian: region "
            + region
            + ": new "
            + name
            + " TLS material in force for new connections (certificate serial "
            + read.chain[0].getSerialNumber().toString(16)
            + ", expires "
            + read.chain[0].getNotAfter().toInstant()
            + ")");
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.warning("a TLS reload listener failed: " + e);
      }
    }
    return true;
  }

  /**
   * Why the material in force refuses {@code chain} now, or empty when it accepts it: the same
   * checks as at the handshake, for a connection that is already open (a resumed session, or one
   * opened before a reload). Counts the refusal when there is one.
   */
  public Optional<Refusal> refusal(
      List<? extends java.security.cert.Certificate> chain, Side side) {
    X509Certificate[] certificates = new X509Certificate[chain == null ? 0 : chain.size()];
    for (int i = 0; i < certificates.length; i++) {
      if (!(chain.get(i) instanceof X509Certificate certificate)) {
        count(Refusal.NO_CERTIFICATE, side);
        return Optional.of(Refusal.NO_CERTIFICATE);
      }
      certificates[i] = certificate;
    }
    try {
      check(certificates, side);
      return Optional.empty();
    } catch (RefusedCertificateException e) {
      return Optional.of(e.reason);
    }
  }

  /** Counts a refusal decided outside the handshake (the certificate's region name). */
  public void count(Refusal reason, Side side) {
    counter(reason, side).increment();
  }

  private Counter counter(Refusal reason, Side side) {
    return refused.computeIfAbsent(
        reason.tag() + ' ' + side.tag(),
        ignored ->
            Counter.builder("meridian.tls.refused")
                .description("certificates refused, at the handshake or after it")
                .tag("region", region)
                .tag("material", name)
                .tag("reason", reason.tag())
                .tag("side", side.tag())
                .register(registry));
  }

  /** Stops watching the files. */
  @Override
  public synchronized void close() {
    if (hangup != null) {
      HangupSignal.remove(hangup);
      hangup = null;
    }
    if (vertx != null && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  // ------------------------------------------------------------------ checks

  /** A presented certificate refused for {@link #reason}. */
  static final class RefusedCertificateException extends CertificateException {
    private static final long serialVersionUID = 1L;
    final transient Refusal reason;

    RefusedCertificateException(Refusal reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }
  }

  private void check(X509Certificate[] chain, Side side) throws RefusedCertificateException {
    Snapshot material = current;
    if (chain == null || chain.length == 0) {
      throw refuse(Refusal.NO_CERTIFICATE, side, "no certificate presented", null);
    }
    X509Certificate leaf = chain[0];
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw refuse(Refusal.EXPIRED, side, "certificate expired " + leaf.getNotAfter(), e);
    } catch (CertificateNotYetValidException e) {
      throw refuse(
          Refusal.NOT_YET_VALID, side, "certificate not valid before " + leaf.getNotBefore(), e);
    }
    try {
      if (side == Side.ACCEPTED) {
        material.pkix.checkClientTrusted(chain, leaf.getPublicKey().getAlgorithm());
      } else {
        material.pkix.checkServerTrusted(chain, "UNKNOWN");
      }
    } catch (CertificateException | RuntimeException e) {
      throw refuse(Refusal.UNTRUSTED, side, "no chain to the configured CA", e);
    }
    for (X509CRL list : material.revocations) {
      if (list.getIssuerX500Principal().equals(leaf.getIssuerX500Principal())
          && list.isRevoked(leaf)) {
        throw refuse(
            Refusal.REVOKED,
            side,
            "certificate serial " + leaf.getSerialNumber().toString(16) + " is revoked",
            null);
      }
    }
  }

  private RefusedCertificateException refuse(
      Refusal reason, Side side, String message, Throwable cause) {
    count(reason, side);
    LOG.warning(
        "meridian: region "
            + region
            + " refused a certificate ("
            + side.tag()
            + "): "
            + reason.tag()
            + ": "
            + message);
    return new RefusedCertificateException(reason, message, cause);
  }

  private final class TrustManagerImpl extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain, Side.ACCEPTED);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain, Side.DIALLED);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain, Side.ACCEPTED);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain, Side.DIALLED);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, Side.ACCEPTED);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, Side.DIALLED);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.pkix.getAcceptedIssuers();
    }
  }

  /**
   * Presents the material in force. An alias names one generation, so a handshake that chose its
   * alias just before a reload still gets a matching key and chain.
   */
  private final class KeyManager extends X509ExtendedKeyManager {
    private Snapshot of(String alias) {
      Snapshot now = current;
      if (now.alias.equals(alias)) {
        return now;
      }
      Snapshot before = previous;
      return before != null && before.alias.equals(alias) ? before : null;
    }

    private String alias(String keyType) {
      Snapshot now = current;
      String algorithm = now.key.getAlgorithm();
      return keyType == null
              || keyType.equalsIgnoreCase(algorithm)
              || keyType.toUpperCase(Locale.ROOT).startsWith(algorithm + "_")
          ? now.alias
          : null;
    }

    private String alias(String[] keyTypes) {
      if (keyTypes == null) {
        return alias((String) null);
      }
      for (String keyType : keyTypes) {
        String found = alias(keyType);
        if (found != null) {
          return found;
        }
      }
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      String found = alias(keyType);
      return found == null ? null : new String[] {found};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine e) {
      return alias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine e) {
      return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Snapshot material = of(alias);
      return material == null ? null : material.chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Snapshot material = of(alias);
      return material == null ? null : material.key;
    }
  }

  // ------------------------------------------------------------------ reading

  private List<Path> files() {
    List<Path> files = new ArrayList<>();
    files.add(directory.caCertificate());
    files.add(directory.certificate());
    files.add(directory.privateKey());
    revocationList.ifPresent(files::add);
    return files;
  }

  private List<byte[]> readAll() {
    List<byte[]> all = new ArrayList<>();
    for (Path file : files()) {
      try {
        long size = Files.size(file);
        if (size > FILE_BYTES_MAX) {
          throw new IllegalArgumentException(file + ": over " + FILE_BYTES_MAX + " bytes");
        }
        all.add(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
      }
    }
    return all;
  }

  private static boolean sameBytes(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private Snapshot read() {
    return parse(readAll());
  }

  private Snapshot parse(List<byte[]> bytes) {
    List<X509Certificate> authorities = certificates(directory.caCertificate(), bytes.get(0));
    List<X509Certificate> chain = certificates(directory.certificate(), bytes.get(1));
    PrivateKey key = privateKey(directory.privateKey(), bytes.get(2));
    X509Certificate leaf = chain.get(0);
    if (!matches(key, leaf)) {
      throw new IllegalArgumentException(
          directory.privateKey()
              + " is not the key of the certificate in "
              + directory.certificate());
    }
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new IllegalArgumentException(
          directory.certificate()
              + " is not valid now (from "
              + leaf.getNotBefore().toInstant()
              + " to "
              + leaf.getNotAfter().toInstant()
              + ")");
    }
    X509TrustManager pkix = pkix(authorities);
    X509Certificate[] presented = chain.toArray(new X509Certificate[0]);
    try {
      pkix.checkServerTrusted(presented, "UNKNOWN");
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          directory.certificate() + " is not signed by the CA in " + directory.caCertificate());
    }
    if (peer) {
      try {
        PeerIdentity.regionOf(leaf, Set.of(region));
      } catch (PeerRejectedException e) {
        throw new IllegalArgumentException(
            directory.certificate() + " does not name region " + region + ": " + e.getMessage());
      }
    }
    List<X509CRL> revocations =
        revocationList.isPresent()
            ? revocations(revocationList.get(), bytes.get(3), authorities)
            : List.of();
    return new Snapshot(
        "meridian-" + name + "-" + generation.incrementAndGet(),
        List.copyOf(bytes),
        key,
        presented,
        pkix,
        revocations);
  }

  private static List<X509Certificate> certificates(Path file, byte[] bytes) {
    try {
      Collection<? extends java.security.cert.Certificate> read =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      List<X509Certificate> certificates = new ArrayList<>();
      for (java.security.cert.Certificate certificate : read) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no certificate");
      }
      return certificates;
    } catch (CertificateException | ClassCastException e) {
      throw new IllegalArgumentException(file + " holds no readable X.509 certificate");
    }
  }

  private static PrivateKey privateKey(Path file, byte[] bytes) {
    PemObject object;
    try (PemReader reader =
        new PemReader(new StringReader(new String(bytes, StandardCharsets.US_ASCII)))) {
      object = reader.readPemObject();
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not PEM");
    }
    if (object == null || !"PRIVATE KEY".equals(object.getType())) {
      throw new IllegalArgumentException(file + " holds no PEM PRIVATE KEY (PKCS#8)");
    }
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm)
            .generatePrivate(new PKCS8EncodedKeySpec(object.getContent()));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm.
      }
    }
    throw new IllegalArgumentException(file + " holds no EC, RSA or Ed25519 PKCS#8 key");
  }

  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] nonce = new byte[32];
      RANDOM.nextBytes(nonce);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(nonce);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(nonce);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static X509TrustManager pkix(List<X509Certificate> authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the PKIX trust manager factory made no X.509 manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot trust the CA: " + e.getMessage(), e);
    }
  }

  private static List<X509CRL> revocations(
      Path file, byte[] bytes, List<X509Certificate> authorities) {
    Collection<? extends CRL> read;
    try {
      read = CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " holds no readable revocation list");
    }
    if (read.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no revocation list");
    }
    List<X509CRL> lists = new ArrayList<>();
    for (CRL crl : read) {
      X509CRL list = (X509CRL) crl;
      if (!signedByOneOf(list, authorities)) {
        throw new IllegalArgumentException(
            file
                + ": a revocation list of "
                + list.getIssuerX500Principal()
                + " not signed by the CA");
      }
      if (list.getNextUpdate() != null && list.getNextUpdate().before(new Date())) {
        LOG.warning(
            "meridian: "
                + file
                + ": the revocation list's next update ("
                + list.getNextUpdate().toInstant()
                + ") has passed; it is used as it is");
      }
      lists.add(list);
    }
    return List.copyOf(lists);
  }

  private static boolean signedByOneOf(X509CRL list, List<X509Certificate> authorities) {
    for (X509Certificate authority : authorities) {
      if (!authority.getSubjectX500Principal().equals(list.getIssuerX500Principal())) {
        continue;
      }
      try {
        list.verify(authority.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // Try the next authority.
      }
    }
    return false;
  }
}
