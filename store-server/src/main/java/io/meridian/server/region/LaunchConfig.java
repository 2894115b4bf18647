package io.meridian.server.region;

import io.meridian.clocks.ReplicaIds;
import io.meridian.server.transport.PeerAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code meridian server} needs to start one region; the command line and its config
 * file fill it in.
 *
 * @param region this region's name
 * @param regions every region's name, this one included (a region need not dial all of them:
 *     updates are forwarded)
 * @param httpHost the HTTP listener's host
 * @param httpPort its port (0 picks a free one)
 * @param replicationHost the replication listener's host
 * @param replicationPort its port (0 picks a free one)
 * @param peers the regions this one dials
 * @param dataDirectory the region's data directory
 * @param tlsDirectory where {@code ca.pem}, {@code NAME.pem} and {@code NAME-key.pem} are, or null
 *     with {@code insecure}
 * @param insecure replicate without TLS (tests only)
 */
public record LaunchConfig(
    String region,
    List<String> regions,
    String httpHost,
    int httpPort,
    String replicationHost,
    int replicationPort,
    List<PeerAddress> peers,
    Path dataDirectory,
    Path tlsDirectory,
    boolean insecure) {
  public LaunchConfig {
    ReplicaIds.require(region);
    regions = List.copyOf(regions);
    peers = List.copyOf(peers);
    Objects.requireNonNull(httpHost, "httpHost");
    Objects.requireNonNull(replicationHost, "replicationHost");
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    if (!insecure && tlsDirectory == null) {
      throw new IllegalArgumentException("a TLS directory is needed unless insecure");
    }
    if (!regions.contains(region)) {
      throw new IllegalArgumentException("regions must contain " + region);
    }
  }
}
