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
  /** Frames waiting for one peer's socket, at most, unless configured otherwise. */
  public static final int SEND_QUEUE_FRAMES_MAX_DEFAULT = 4_096;

  /** First delay before dialling a peer again, unless configured otherwise. */
  public static final long RECONNECT_DELAY_MILLIS_MIN_DEFAULT = 50;

  /**
   * The bound the reconnect delay doubles up to, unless configured otherwise. A healed link waits
   * for its next dial, so this bounds the wait a heal adds to convergence (the geo harness measured
   * 4.9 s after a 12 s partition with a bound of 5 s, against a target of 2 s); a dial of a peer
   * that is still away costs one failed connection attempt a second.
   */
  public static final long RECONNECT_DELAY_MILLIS_MAX_DEFAULT = 1_000;

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

  /**
   * A builder for region {@code self} among {@code regions}; the rest starts at its default: the
   * listener on 127.0.0.1 at a port the system picks, no peers dialled, 1 MiB frames, {@value
   * #SEND_QUEUE_FRAMES_MAX_DEFAULT} queued frames per peer, reconnecting after {@value
   * #RECONNECT_DELAY_MILLIS_MIN_DEFAULT} ms doubling to {@value
   * #RECONNECT_DELAY_MILLIS_MAX_DEFAULT} ms. TLS has no default: call {@link Builder#tls} or {@link
   * Builder#plaintext}.
   */
  public static Builder builder(String self, Set<String> regions) {
    return new Builder(self, regions);
  }

  /** Builds a {@link TransportConfig} by name, so no two bounds can be swapped. */
  public static final class Builder {
    private final String self;
    private final Set<String> regions;
    private String host = "127.0.0.1";
    private int port;
    private List<PeerAddress> peers = List.of();
    private TlsDirectory tls;
    private boolean tlsChosen;
    private int frameBytesMax = 1 << 20;
    private int sendQueueFramesMax = SEND_QUEUE_FRAMES_MAX_DEFAULT;
    private long reconnectDelayMillisMin = RECONNECT_DELAY_MILLIS_MIN_DEFAULT;
    private long reconnectDelayMillisMax = RECONNECT_DELAY_MILLIS_MAX_DEFAULT;

    private Builder(String self, Set<String> regions) {
      this.self = self;
      this.regions = regions;
    }

    /** Where the listener listens; port 0 picks a free one. */
    public Builder listen(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    /** The peers this region dials. */
    public Builder peers(List<PeerAddress> addresses) {
      peers = addresses;
      return this;
    }

    /** This region's TLS material. */
    public Builder tls(TlsDirectory directory) {
      tls = java.util.Objects.requireNonNull(directory, "directory");
      tlsChosen = true;
      return this;
    }

    /** Plaintext replication (tests only: said loudly in the log). */
    public Builder plaintext() {
      tls = null;
      tlsChosen = true;
      return this;
    }

    /** Largest frame read or written. */
    public Builder frameBytesMax(int value) {
      frameBytesMax = value;
      return this;
    }

    /** Frames waiting for a peer's socket. */
    public Builder sendQueueFramesMax(int value) {
      sendQueueFramesMax = value;
      return this;
    }

    /** The first delay before dialling a peer again, and the bound it doubles up to. */
    public Builder reconnectDelayMillis(long min, long max) {
      reconnectDelayMillisMin = min;
      reconnectDelayMillisMax = max;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalStateException when neither {@link #tls} nor {@link #plaintext} was called
     * @throws IllegalArgumentException as the record's constructor does
     */
    public TransportConfig build() {
      if (!tlsChosen) {
        throw new IllegalStateException("choose tls(...) or plaintext()");
      }
      return new TransportConfig(
          self,
          regions,
          host,
          port,
          peers,
          tls,
          frameBytesMax,
          sendQueueFramesMax,
          reconnectDelayMillisMin,
          reconnectDelayMillisMax);
    }
  }
}
