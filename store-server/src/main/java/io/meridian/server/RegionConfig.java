package io.meridian.server;

import io.meridian.clocks.ReplicaIds;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.storage.UpdateLogConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything one region process needs to start. Immutable; {@link #equals} is structural.
 *
 * @param region this region's name
 * @param http where the HTTP API listens
 * @param replication where the replication listener listens
 * @param peers the other regions this one talks to, by name
 * @param dataDirectory the region's data directory
 * @param tlsDirectory where {@code ca.pem}, {@code NAME.pem}, {@code NAME-key.pem} are; empty only
 *     when {@code insecure}
 * @param insecure replication without TLS (tests only)
 * @param httpApi bounds of the HTTP API
 * @param updateLog bounds of the update log
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
    UpdateLogConfig updateLog) {
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
  }
}
