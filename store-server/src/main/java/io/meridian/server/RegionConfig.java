package io.meridian.server;

import io.meridian.clocks.ReplicaIds;
import io.meridian.server.auth.ClientAuthConfig;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.http.WatchLimits;
import io.meridian.server.storage.UpdateLogConfig;
import io.meridian.server.tls.TlsOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Everything one region process needs to start. Immutable; {@link #equals} is structural.
 *
 * @param region this region's name
 * @param http where the HTTP API listens
 * @param replication where the replication listener listens
 * @param peers the other regions this one dials, by name (a peer at port 0 is known but not
 *     dialled)
 * @param dataDirectory the region's data directory
 * @param tlsDirectory where {@code ca.pem}, {@code NAME.pem}, {@code NAME-key.pem} are; empty only
 *     when {@code insecure}
 * @param insecure replication without TLS (tests only)
 * @param httpApi bounds of the HTTP API
 * @param updateLog bounds of the update log
 * @param regions every region of the deployment, this one and its peers included; empty means
 *     exactly this region and its peers. A region that is neither this one nor a peer is reached
 *     only through others (a full mesh is not required: updates are forwarded)
 * @param operationIdRetentionMillis how long an applied operation id is refused again (API
 *     "Objects": at least 24 hours by default)
 * @param watchLimits bounds of the change streams ({@code GET /v1/buckets/{bucket}/watch})
 * @param clientAuth who may use the HTTP API (API "Authentication") and per-client bounds
 * @param stateCacheBytes the budget of the cache of decoded key states (keys unchanged since the
 *     last checkpoint live in the checkpoint store), in bytes of heap as estimated from each key's
 *     encoded size (about 12 times it, plus 128); 0 caches nothing
 * @param tls HTTPS for the HTTP API and the peers' revocation list (HTTPS needs a TLS directory)
 */
public record RegionConfig(
    String region,
    HostPort http,
    HostPort replication,
    Map<String, HostPort> peers,
    Path dataDirectory,
    Optional<Path> tlsDirectory,
    boolean insecure,
    HttpApiConfig httpApi,
    UpdateLogConfig updateLog,
    Set<String> regions,
    long operationIdRetentionMillis,
    WatchLimits watchLimits,
    ClientAuthConfig clientAuth,
    long stateCacheBytes,
    TlsOptions tls) {
  /** Operation ids are remembered 24 hours unless configured otherwise. */
  public static final long OPERATION_ID_RETENTION_MILLIS_DEFAULT = 24L * 60 * 60 * 1000;

  /** The cache of decoded key states holds 64 MiB (of decoded heap) unless configured otherwise. */
  public static final long STATE_CACHE_BYTES_DEFAULT =
      io.meridian.server.region.RegionOwnerConfig.DEFAULT_STATE_CACHE_BYTES;

  public RegionConfig {
    ReplicaIds.require(region);
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(replication, "replication");
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(tlsDirectory, "tlsDirectory");
    Objects.requireNonNull(httpApi, "httpApi");
    Objects.requireNonNull(updateLog, "updateLog");
    Objects.requireNonNull(watchLimits, "watchLimits");
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(tls, "tls");
    if (tls.https() && tls.httpTlsDirectory().isEmpty() && tlsDirectory.isEmpty()) {
      throw new IllegalArgumentException("HTTPS needs a TLS directory");
    }
    peers.keySet().forEach(ReplicaIds::require);
    if (peers.containsKey(region)) {
      throw new IllegalArgumentException("region " + region + " cannot be its own peer");
    }
    peers = java.util.Collections.unmodifiableMap(new TreeMap<>(peers));
    if (tlsDirectory.isEmpty() && !insecure) {
      throw new IllegalArgumentException("a TLS directory is required unless insecure");
    }
    regions.forEach(ReplicaIds::require);
    if (!regions.isEmpty()) {
      if (!regions.contains(region)) {
        throw new IllegalArgumentException("the regions " + regions + " must include " + region);
      }
      for (String peer : peers.keySet()) {
        if (!regions.contains(peer)) {
          throw new IllegalArgumentException(
              "peer " + peer + " is not one of the regions " + regions);
        }
      }
    }
    regions = java.util.Collections.unmodifiableSet(new TreeSet<>(regions));
    if (operationIdRetentionMillis < 1) {
      throw new IllegalArgumentException(
          "operationIdRetentionMillis must be positive: " + operationIdRetentionMillis);
    }
    if (stateCacheBytes < 0) {
      throw new IllegalArgumentException(
          "stateCacheBytes must not be negative: " + stateCacheBytes);
    }
  }

  /**
   * As the canonical constructor, with {@link WatchLimits#defaults()}, the HTTP API open ({@link
   * ClientAuthConfig#open()}) over plain HTTP and the default state cache.
   */
  public RegionConfig(
      String region,
      HostPort http,
      HostPort replication,
      Map<String, HostPort> peers,
      Path dataDirectory,
      Optional<Path> tlsDirectory,
      boolean insecure,
      HttpApiConfig httpApi,
      UpdateLogConfig updateLog,
      Set<String> regions,
      long operationIdRetentionMillis) {
    this(
        region,
        http,
        replication,
        peers,
        dataDirectory,
        tlsDirectory,
        insecure,
        httpApi,
        updateLog,
        regions,
        operationIdRetentionMillis,
        WatchLimits.defaults(),
        ClientAuthConfig.open(),
        STATE_CACHE_BYTES_DEFAULT,
        TlsOptions.plainHttp());
  }

  /**
   * A builder of region {@code region} that keeps its data in {@code dataDirectory}; every other
   * component starts at its default: HTTP and replication on 127.0.0.1 at ports the system picks,
   * no peers, no TLS directory (so set {@link Builder#tlsDirectory} or {@link Builder#insecure}),
   * default HTTP and log bounds, the regions exactly this one and its peers, and operation ids
   * remembered {@link #OPERATION_ID_RETENTION_MILLIS_DEFAULT}, the HTTP API open (no tokens).
   */
  public static Builder builder(String region, Path dataDirectory) {
    return new Builder(region, dataDirectory);
  }

  /** A builder that starts from this configuration, to change some of its components. */
  public Builder toBuilder() {
    return new Builder(region, dataDirectory)
        .http(http)
        .replication(replication)
        .peers(peers)
        .tlsDirectory(tlsDirectory.orElse(null))
        .insecure(insecure)
        .httpApi(httpApi)
        .updateLog(updateLog)
        .regions(regions)
        .operationIdRetentionMillis(operationIdRetentionMillis)
        .watchLimits(watchLimits)
        .clientAuth(clientAuth)
        .stateCacheBytes(stateCacheBytes)
        .tls(tls);
  }

  /**
   * Regions {@code names} on 127.0.0.1 in one process, as {@code meridian local} and the tests run
   * them: each lists every other as a peer at port 0 ({@code Region.startAll} fills in the bound
   * replication ports), keeps its data in {@code data/NAME} and its TLS material in {@code
   * data/tls} (unused when {@code each} makes it insecure); {@code each} sets the rest.
   *
   * @param httpPortBase the first region's HTTP port, the next regions' following it; 0 for ports
   *     the system picks
   * @param each adjusts every region's builder, e.g. {@code b -> b.insecure(true)}
   */
  public static List<RegionConfig> localMesh(
      List<String> names, Path data, int httpPortBase, UnaryOperator<Builder> each) {
    List<RegionConfig> configs = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Map<String, HostPort> peers = new LinkedHashMap<>();
      for (String peer : names) {
        if (!peer.equals(name)) {
          peers.put(peer, new HostPort("127.0.0.1", 0));
        }
      }
      Builder builder =
          builder(name, data.resolve(name))
              .http(new HostPort("127.0.0.1", httpPortBase == 0 ? 0 : httpPortBase + i))
              .peers(peers)
              .tlsDirectory(data.resolve("tls"));
      configs.add(each.apply(builder).build());
    }
    return configs;
  }

  /** Every region of the deployment, in name order: {@link #regions}, or this one and its peers. */
  public Set<String> allRegions() {
    if (!regions.isEmpty()) {
      return regions;
    }
    Set<String> all = new TreeSet<>(peers.keySet());
    all.add(region);
    return java.util.Collections.unmodifiableSet(all);
  }

  /**
   * Builds a {@link RegionConfig} by name, so no two components of one type can be swapped. The
   * record's checks run in {@link #build}.
   */
  public static final class Builder {
    private static final HostPort LOOPBACK_ANY_PORT = new HostPort("127.0.0.1", 0);

    private final String region;
    private final Path dataDirectory;
    private HostPort http = LOOPBACK_ANY_PORT;
    private HostPort replication = LOOPBACK_ANY_PORT;
    private Map<String, HostPort> peers = Map.of();
    private Path tlsDirectory;
    private boolean insecure;
    private HttpApiConfig httpApi = HttpApiConfig.defaults();
    private UpdateLogConfig updateLog = UpdateLogConfig.defaults();
    private Set<String> regions = Set.of();
    private long operationIdRetentionMillis = OPERATION_ID_RETENTION_MILLIS_DEFAULT;
    private WatchLimits watchLimits = WatchLimits.defaults();
    private ClientAuthConfig clientAuth = ClientAuthConfig.open();
    private long stateCacheBytes = STATE_CACHE_BYTES_DEFAULT;
    private TlsOptions tls = TlsOptions.plainHttp();

    private Builder(String region, Path dataDirectory) {
      this.region = region;
      this.dataDirectory = dataDirectory;
    }

    /** Where the HTTP API listens. */
    public Builder http(HostPort address) {
      http = address;
      return this;
    }

    /** Where the replication listener listens. */
    public Builder replication(HostPort address) {
      replication = address;
      return this;
    }

    /** The other regions this one dials, by name (a peer at port 0 is known but not dialled). */
    public Builder peers(Map<String, HostPort> addresses) {
      peers = addresses;
      return this;
    }

    /** Where the TLS material is, or null for none (then {@link #insecure} must be set). */
    public Builder tlsDirectory(Path directory) {
      tlsDirectory = directory;
      return this;
    }

    /** Replication without TLS (tests only). */
    public Builder insecure(boolean value) {
      insecure = value;
      return this;
    }

    /** The bounds of the HTTP API. */
    public Builder httpApi(HttpApiConfig config) {
      httpApi = config;
      return this;
    }

    /** The bounds of the update log. */
    public Builder updateLog(UpdateLogConfig config) {
      updateLog = config;
      return this;
    }

    /** Every region of the deployment; empty means exactly this region and its peers. */
    public Builder regions(Set<String> names) {
      regions = names;
      return this;
    }

    /** How long an applied operation id is refused again. */
    public Builder operationIdRetentionMillis(long millis) {
      operationIdRetentionMillis = millis;
      return this;
    }

    /** The bounds of the change streams. */
    public Builder watchLimits(WatchLimits limits) {
      watchLimits = limits;
      return this;
    }

    /** Who may use the HTTP API, and the per-client bounds. */
    public Builder clientAuth(ClientAuthConfig config) {
      clientAuth = config;
      return this;
    }

    /** The budget of the cache of decoded key states; 0 caches nothing. */
    public Builder stateCacheBytes(long bytes) {
      stateCacheBytes = bytes;
      return this;
    }

    /** HTTPS for the HTTP API and the peers' revocation list (default: plain HTTP, none). */
    public Builder tls(TlsOptions options) {
      tls = options;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException as the record's constructor does
     */
    public RegionConfig build() {
      return new RegionConfig(
          region,
          http,
          replication,
          peers,
          dataDirectory,
          Optional.ofNullable(tlsDirectory),
          insecure,
          httpApi,
          updateLog,
          regions,
          operationIdRetentionMillis,
          watchLimits,
          clientAuth,
          stateCacheBytes,
          tls);
    }
  }
}
