package io.meridian.replication;

import io.meridian.clocks.ReplicaIds;
import java.util.List;
import java.util.TreeSet;

/**
 * The bounds and intervals of one region's replication. Every bound is named with its unit last;
 * every interval is counted in ticks, so the simulator reproduces timing exactly.
 *
 * @param self this region
 * @param regions every region, this one included (membership is static)
 * @param deliveryBufferEntriesMax entries that wait for their causal past; past it an entry is
 *     dropped and fetched again later
 * @param logEntriesPerOriginMax entries per origin kept in the log for laggards; past it the oldest
 *     leave the log even unstable, and a laggard needing them gets a state transfer
 * @param frameBytesMax largest frame sent or accepted
 * @param entriesPerFrameMax entries in one frame
 * @param updatesPerEntryMax key updates in one entry (one batch)
 * @param inFlightEntriesPerPeerMax entries sent to a peer beyond what it acknowledged
 * @param resendIntervalTicks ticks without acknowledgement progress after which entries in flight
 *     are sent again
 * @param heartbeatIntervalTicks ticks between heartbeats to a peer
 * @param batchWindowTicks ticks entries wait to share a frame (0 sends at every {@link Ready})
 * @param stateTransferIntervalTicks ticks before a state transfer request is repeated
 * @param digestRangeCount key ranges compared by anti-entropy
 * @param stateTransferBytesMax bytes of key states staged for one state transfer
 * @param clockOffsetMillisMax how far ahead a remote HLC may be and still move the local clock
 * @param relayDelayTicks ticks an entry of another origin waits here before it is relayed to a peer
 *     that has not acknowledged it: the origin's own copy usually gets there first, so relays only
 *     fill the gaps of broken links (0 relays at once)
 * @param entriesPerReadyMax entries one {@link Ready} hands out to persist; the rest wait for the
 *     next, so the driver's update log never has to queue more than this many appends at once
 * @param causalDelivery true (the default, and the only setting a store may run with): an entry
 *     waits until its causal past is accepted. False is the eventual mode, <b>for benchmarks
 *     only</b> (the geo harness measures what causal delivery costs against it): an entry is
 *     accepted as soon as it is the next of its origin, whatever it depends on from other origins.
 *     Per-origin order stays, because the version vectors (acknowledgements, resends, duplicates,
 *     session tokens) summarise a contiguous prefix of each origin. Snapshot reads, sessions across
 *     regions and any type whose effects do not commute lose their guarantees in this mode; see
 *     {@link Builder#eventualDeliveryForBenchmarksOnly()}.
 */
public record ReplicationConfig(
    String self,
    List<String> regions,
    int deliveryBufferEntriesMax,
    int logEntriesPerOriginMax,
    int frameBytesMax,
    int entriesPerFrameMax,
    int updatesPerEntryMax,
    int inFlightEntriesPerPeerMax,
    int resendIntervalTicks,
    int heartbeatIntervalTicks,
    int batchWindowTicks,
    int stateTransferIntervalTicks,
    int digestRangeCount,
    int stateTransferBytesMax,
    long clockOffsetMillisMax,
    int relayDelayTicks,
    int entriesPerReadyMax,
    boolean causalDelivery) {

  public ReplicationConfig {
    ReplicaIds.require(self);
    TreeSet<String> sorted = new TreeSet<>();
    for (String region : regions) {
      if (!sorted.add(ReplicaIds.require(region))) {
        throw new IllegalArgumentException("duplicate region " + region);
      }
    }
    if (!sorted.contains(self)) {
      throw new IllegalArgumentException("regions must include self " + self);
    }
    regions = List.copyOf(sorted);
    atLeast(deliveryBufferEntriesMax, 1, "deliveryBufferEntriesMax");
    atLeast(logEntriesPerOriginMax, 1, "logEntriesPerOriginMax");
    atLeast(frameBytesMax, 1024, "frameBytesMax");
    atLeast(entriesPerFrameMax, 1, "entriesPerFrameMax");
    atLeast(updatesPerEntryMax, 1, "updatesPerEntryMax");
    atLeast(inFlightEntriesPerPeerMax, entriesPerFrameMax, "inFlightEntriesPerPeerMax");
    atLeast(resendIntervalTicks, 1, "resendIntervalTicks");
    atLeast(heartbeatIntervalTicks, 1, "heartbeatIntervalTicks");
    atLeast(batchWindowTicks, 0, "batchWindowTicks");
    atLeast(stateTransferIntervalTicks, 1, "stateTransferIntervalTicks");
    atLeast(digestRangeCount, 1, "digestRangeCount");
    atLeast(stateTransferBytesMax, frameBytesMax, "stateTransferBytesMax");
    atLeast(relayDelayTicks, 0, "relayDelayTicks");
    atLeast(entriesPerReadyMax, 1, "entriesPerReadyMax");
    if (clockOffsetMillisMax < 0) {
      throw new IllegalArgumentException("clockOffsetMillisMax must be at least 0");
    }
  }

  private static void atLeast(long value, long minimum, String name) {
    if (value < minimum) {
      throw new IllegalArgumentException(name + " must be at least " + minimum + ": " + value);
    }
  }

  /** A configuration with the defaults for a server with ticks of 10 ms. */
  public static Builder builder(String self, List<String> regions) {
    return new Builder(self, regions);
  }

  /** Builds a {@link ReplicationConfig} by name, so no two bounds can be swapped. */
  public static final class Builder {
    private final String self;
    private final List<String> regions;
    private int deliveryBufferEntriesMax = 10_000;
    private int logEntriesPerOriginMax = 100_000;
    private int frameBytesMax = 1 << 20;
    private int entriesPerFrameMax = 256;
    private int updatesPerEntryMax = 1_000;
    private int inFlightEntriesPerPeerMax = 4_096;
    private int resendIntervalTicks = 100;
    private int heartbeatIntervalTicks = 50;
    private int batchWindowTicks = 1;
    private int stateTransferIntervalTicks = 500;
    private int digestRangeCount = 1_024;
    private int stateTransferBytesMax = 256 << 20;
    private long clockOffsetMillisMax = 60_000;
    private int relayDelayTicks = 20;
    private int entriesPerReadyMax = 4_096;
    private boolean causalDelivery = true;

    private Builder(String self, List<String> regions) {
      this.self = self;
      this.regions = regions;
    }

    public Builder deliveryBufferEntriesMax(int value) {
      deliveryBufferEntriesMax = value;
      return this;
    }

    public Builder logEntriesPerOriginMax(int value) {
      logEntriesPerOriginMax = value;
      return this;
    }

    public Builder frameBytesMax(int value) {
      frameBytesMax = value;
      return this;
    }

    public Builder entriesPerFrameMax(int value) {
      entriesPerFrameMax = value;
      return this;
    }

    public Builder updatesPerEntryMax(int value) {
      updatesPerEntryMax = value;
      return this;
    }

    public Builder inFlightEntriesPerPeerMax(int value) {
      inFlightEntriesPerPeerMax = value;
      return this;
    }

    public Builder resendIntervalTicks(int value) {
      resendIntervalTicks = value;
      return this;
    }

    public Builder heartbeatIntervalTicks(int value) {
      heartbeatIntervalTicks = value;
      return this;
    }

    public Builder batchWindowTicks(int value) {
      batchWindowTicks = value;
      return this;
    }

    public Builder stateTransferIntervalTicks(int value) {
      stateTransferIntervalTicks = value;
      return this;
    }

    public Builder digestRangeCount(int value) {
      digestRangeCount = value;
      return this;
    }

    public Builder stateTransferBytesMax(int value) {
      stateTransferBytesMax = value;
      return this;
    }

    public Builder clockOffsetMillisMax(long value) {
      clockOffsetMillisMax = value;
      return this;
    }

    public Builder relayDelayTicks(int value) {
      relayDelayTicks = value;
      return this;
    }

    public Builder entriesPerReadyMax(int value) {
      entriesPerReadyMax = value;
      return this;
    }

    /**
     * Switches causal delivery off: an entry is accepted once it is the next of its origin, without
     * waiting for its dependencies on other origins. For measuring what causal delivery costs, and
     * nothing else: only commutative effects whose correctness does not depend on causal order
     * (counter increments, grow-only set adds) converge to the same values as in causal mode, and
     * causally closed snapshots and cross-region session guarantees no longer hold.
     */
    public Builder eventualDeliveryForBenchmarksOnly() {
      causalDelivery = false;
      return this;
    }

    public ReplicationConfig build() {
      return new ReplicationConfig(
          self,
          regions,
          deliveryBufferEntriesMax,
          logEntriesPerOriginMax,
          frameBytesMax,
          entriesPerFrameMax,
          updatesPerEntryMax,
          inFlightEntriesPerPeerMax,
          resendIntervalTicks,
          heartbeatIntervalTicks,
          batchWindowTicks,
          stateTransferIntervalTicks,
          digestRangeCount,
          stateTransferBytesMax,
          clockOffsetMillisMax,
          relayDelayTicks,
          entriesPerReadyMax,
          causalDelivery);
    }
  }
}
