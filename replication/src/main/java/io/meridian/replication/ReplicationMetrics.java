package io.meridian.replication;

import java.util.Map;

/**
 * Counters and gauges of one {@link ReplicaCore}, read with {@link ReplicaCore#metrics()}; the
 * server exports them. Counters count since the core was built or restored.
 *
 * @param rejectedFrames per verdict, frames rejected
 * @param acceptedFrames frames accepted
 * @param duplicateEntries entries received that were already accepted or buffered
 * @param deliveryBufferEntries gauge: entries waiting for their causal past
 * @param deliveryBufferEntriesHighWater the most entries ever waiting at once
 * @param droppedEntries entries dropped because the delivery buffer was full (fetched again later)
 * @param logEntries gauge: entries in the in-memory log
 * @param forcedTrimEntries entries that left the log unstable, because an origin's log was full
 * @param stateTransfersRequested digest requests sent
 * @param stateTransfersServed state transfers sent
 * @param stateTransfersInstalled state transfers handed to the driver to install
 * @param stateTransfersAbandoned stagings dropped because they grew past their byte bound
 * @param clockAheadEvents remote timestamps too far ahead to move the clock
 * @param framesSent frames handed out to send
 * @param bytesSent bytes of those frames
 * @param entriesSent entries in those frames (counting each copy)
 * @param peerLagEntries gauge per peer: entries this region applied that the peer has not
 *     acknowledged
 */
public record ReplicationMetrics(
    Map<FrameVerdict, Long> rejectedFrames,
    long acceptedFrames,
    long duplicateEntries,
    long deliveryBufferEntries,
    long deliveryBufferEntriesHighWater,
    long droppedEntries,
    long logEntries,
    long forcedTrimEntries,
    long stateTransfersRequested,
    long stateTransfersServed,
    long stateTransfersInstalled,
    long stateTransfersAbandoned,
    long clockAheadEvents,
    long framesSent,
    long bytesSent,
    long entriesSent,
    Map<String, Long> peerLagEntries) {
  public ReplicationMetrics {
    rejectedFrames = Map.copyOf(rejectedFrames);
    peerLagEntries = Map.copyOf(peerLagEntries);
  }

  /** Frames rejected for any reason. */
  public long rejectedFramesTotal() {
    return rejectedFrames.values().stream().mapToLong(Long::longValue).sum();
  }
}
