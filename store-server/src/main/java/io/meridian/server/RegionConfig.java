package io.meridian.server;

import io.meridian.clocks.ReplicaIds;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.storage.UpdateLogConfig;
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
    long operationIdRetentionMillis) {
  /** Operation ids are remembered 24 hours unless configured otherwise. */
  public static final long OPERATION_ID_RETENTION_MILLIS_DEFAULT = 24L * 60 * 60 * 1000;

  public RegionConfig {
    ReplicaIds.require(region);
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(replication, "replication");
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(tlsDirectory, "tlsDirectory");
    Objects.requireNonNull(httpApi, "httpApi");
    Objects.requireNonNull(updateLog, "updateLog");
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
  }

  /** A region that knows exactly itself and its peers. */
  public RegionConfig(
      String region,
      HostPort http,
      HostPort replication,
      Map<String, HostPort> peers,
      Path dataDirectory,
      Optional<Path> tlsDirectory,
      boolean insecure,
      HttpApiConfig httpApi,
      UpdateLogConfig updateLog) {
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
        Set.of(),
        OPERATION_ID_RETENTION_MILLIS_DEFAULT);
  }

  /**
   * Regions {@code names} on 127.0.0.1 in one process, as {@code meridian local} and the tests run
   * them: each lists every other as a peer at port 0 ({@code Region.startAll} fills in the bound
   * replication ports), keeps its data in {@code data/NAME} and, unless {@code insecure}, its TLS
   * material in {@code data/tls}.
   *
   * @param httpPortBase the first region's HTTP port, the next regions' following it; 0 for ports
   *     the system picks
   */
  public static List<RegionConfig> localMesh(
      List<String> names,
      Path data,
      boolean insecure,
      int httpPortBase,
      HttpApiConfig httpApi,
      UpdateLogConfig updateLog,
      long operationIdRetentionMillis) {
    List<RegionConfig> configs = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Map<String, HostPort> peers = new LinkedHashMap<>();
      for (String peer : names) {
        if (!peer.equals(name)) {
          peers.put(peer, new HostPort("127.0.0.1", 0));
        }
      }
      configs.add(
          new RegionConfig(
              name,
              new HostPort("127.0.0.1", httpPortBase == 0 ? 0 : httpPortBase + i),
              new HostPort("127.0.0.1", 0),
              peers,
              data.resolve(name),
              insecure ? Optional.empty() : Optional.of(data.resolve("tls")),
              insecure,
              httpApi,
              updateLog,
              Set.of(),
              operationIdRetentionMillis));
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
}
