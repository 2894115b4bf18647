package io.meridian.server.region;

/**
 * Where a region's outgoing frames go: the replication transport, or a test's wiring. Sending never
 * blocks and may drop a frame (the protocol sends again); it is called on the region's owner.
 */
public interface FrameSender {
  /** Queues {@code frame} for {@code peer}, or drops it when the peer's queue is full. */
  void send(String peer, byte[] frame);

  /** Whether a connection to {@code peer} is up right now, for the status endpoint. */
  boolean connected(String peer);

  /** A sender that drops everything: a region with no peers reachable. */
  FrameSender NONE =
      new FrameSender() {
        @Override
        public void send(String peer, byte[] frame) {}

        @Override
        public boolean connected(String peer) {
          return false;
        }
      };
}
