package io.meridian.server.transport;

import io.meridian.clocks.ReplicaIds;

/**
 * Where to reach a peer region for replication.
 *
 * @param region the peer's region name, as its certificate states it
 * @param host the host to connect to
 * @param port the port
 */
public record PeerAddress(String region, String host, int port) {
  public PeerAddress {
    ReplicaIds.require(region);
    if (host == null || host.isEmpty() || port < 1 || port > 65_535) {
      throw new IllegalArgumentException("bad peer address " + host + ":" + port);
    }
  }
}
