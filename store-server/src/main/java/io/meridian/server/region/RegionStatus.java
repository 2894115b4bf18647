package io.meridian.server.region;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /v1/status} shows of a region, read in one step of its driver. Immutable.
 *
 * @param region the region's name
 * @param hlc its hybrid logical clock now
 * @param applied per region of the deployment (in configuration order), the last seq applied here
 * @param logLength entries in the in-memory log, over every origin
 * @param peers every peer, by name
 */
public record RegionStatus(
    String region, long hlc, Map<String, Long> applied, long logLength, List<Peer> peers) {
  public RegionStatus {
    applied = Collections.unmodifiableMap(new LinkedHashMap<>(applied));
    peers = List.copyOf(peers);
  }

  /**
   * One peer as this region sees it.
   *
   * @param name the peer
   * @param connected whether a connection to it is up
   * @param lagEntries this region's entries it has not acknowledged
   * @param lagMillis how long ago the oldest of them was applied here
   */
  public record Peer(String name, boolean connected, long lagEntries, long lagMillis) {}
}
