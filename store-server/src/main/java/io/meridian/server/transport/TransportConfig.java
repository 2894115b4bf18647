package io.meridian.server.transport;

import io.meridian.server.tls.TlsDirectory;
import java.util.List;
import java.util.Set;

/**
 * How a region's replication transport runs.
 *
 * @param self this region
 * @param regions every region (a frame from any other name is refused)
 * @param host the listener's host
 * @param port the listener's port (0 picks a free one)
 * @param peers the peers this region dials; others may dial it (a full mesh is not required)
 * @param tls this region's TLS material, or null for plaintext (tests only: said loudly in the log)
 * @param frameBytesMax largest frame read or written; a longer one closes the connection
 * @param sendQueueFramesMax frames waiting for a peer's socket; past it new frames are dropped
 * @param reconnectDelayMillisMin first delay before dialling a peer again
 * @param reconnectDelayMillisMax the delay doubles up to this bound
 */
public record TransportConfig(
    String self,
    Set<String> regions,
    String host,
    int port,
    List<PeerAddress> peers,
    TlsDirectory tls,
    int frameBytesMax,
    int sendQueueFramesMax,
    long reconnectDelayMillisMin,
    long reconnectDelayMillisMax) {
  public TransportConfig {
    regions = Set.copyOf(regions);
    peers = List.copyOf(peers);
    if (!regions.contains(self)) {
      throw new IllegalArgumentException("regions must contain " + self);
    }
    for (PeerAddress peer : peers) {
      if (!regions.contains(peer.region()) || peer.region().equals(self)) {
        throw new IllegalArgumentException("peer " + peer.region() + " is not another region");
      }
    }
    if (frameBytesMax < 1024 || sendQueueFramesMax < 1) {
      throw new IllegalArgumentException("frame and queue bounds must be positive");
    }
    if (reconnectDelayMillisMin < 1 || reconnectDelayMillisMax < reconnectDelayMillisMin) {
      throw new IllegalArgumentException("bad reconnect delays");
    }
  }

  /** Plaintext replication, for tests. */
  public boolean insecure() {
    return tls == null;
  }
}
