package io.meridian.server.region;

import io.meridian.replication.ReplicationConfig;
import java.util.List;
import java.util.SplittableRandom;

/** Everything one seed of the {@link DriverSimulation} decides before the run. */
record DriverParameters(
    long seed,
    int regionCount,
    int faultTicks,
    double lossProbability,
    double duplicateProbability,
    int latencyTicksMax,
    double partitionChangeProbability,
    double crashProbability,
    int downTicksMax,
    int fsyncTicksMax,
    double fsyncFailureProbability,
    double tornTailProbability,
    long skewMillisMax,
    double requestProbability,
    double retryProbability,
    int keyCount,
    double checkpointProbability,
    double checkpointFailureProbability,
    int logEntriesPerOriginMax,
    int entriesPerFrameMax,
    int resendIntervalTicks,
    int heartbeatIntervalTicks,
    int typeRotation,
    double batchProbability,
    double operationIdProbability,
    double sequencedProbability,
    double snapshotAllProbability,
    int deliveryBufferEntriesMax,
    int inFlightFactor,
    int batchWindowTicks,
    int stateTransferIntervalTicks,
    int digestRangeCount,
    int relayDelayTicks,
    double backwardJumpProbability,
    boolean remoteVisibleBeforeFsync,
    long stateCacheBytes,
    int changedKeysMax) {

  static DriverParameters fromSeed(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    // Drawn apart from the rest, so that the draws of the earlier parameters stay as they were.
    SplittableRandom apart = new SplittableRandom(~seed);
    SplittableRandom workload = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 11);
    SplittableRandom replication = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
    // Its own stream too: three seeds in four show remote entries before the receiver's fsync.
    SplittableRandom visibility = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
    // The key states' memory bounds: a cache of nothing or of a key or two makes reads go to the
    // checkpoint store, one changed key makes every applied group checkpoint early.
    SplittableRandom memory = new SplittableRandom(seed ^ 0xBB67AE8584CAA73BL);
    return new DriverParameters(
        seed,
        2 + random.nextInt(3),
        150 + random.nextInt(150),
        pick(random, 0.0, 0.05, 0.2),
        pick(random, 0.0, 0.05, 0.2),
        1 + random.nextInt(5),
        pick(random, 0.0, 0.01, 0.05),
        pick(random, 0.0, 0.005, 0.02),
        5 + random.nextInt(60),
        1 + random.nextInt(4),
        pick(random, 0.0, 0.0, 0.01),
        pick(random, 0.0, 0.5),
        pick(random, 0L, 1_000L, 300_000L),
        pick(random, 0.3, 0.8),
        pick(random, 0.0, 0.1, 0.3),
        pick(random, 1, 3, 20),
        pick(random, 0.01, 0.1),
        pick(apart, 0.0, 0.1),
        pick(random, 4, 16, 1_000),
        pick(random, 1, 4, 16),
        pick(random, 5, 10, 30),
        pick(random, 2, 5, 10),
        workload.nextInt(DriverWorkload.TYPE_NAMES.size()),
        pick(workload, 0.0, 0.2, 0.5),
        pick(workload, 0.0, 0.3, 0.7),
        pick(workload, 0.0, 0.2, 0.5),
        pick(workload, 0.1, 0.5),
        pick(replication, 2, 8, 64, 100_000),
        pick(replication, 1, 4, 16),
        pick(replication, 0, 0, 1, 3),
        pick(replication, 10, 40),
        pick(replication, 1, 8, 32),
        pick(replication, 0, 5, 20),
        pick(replication, 0.0, 0.0, 0.002, 0.02),
        pick(visibility, true, true, true, false),
        pick(memory, 0L, 600L, 4_000L, RegionOwnerConfig.DEFAULT_STATE_CACHE_BYTES),
        pick(memory, 1, 3, 100_000));
  }

  ReplicationConfig config(String self, List<String> regions) {
    return ReplicationConfig.builder(self, regions)
        .logEntriesPerOriginMax(logEntriesPerOriginMax)
        .entriesPerFrameMax(entriesPerFrameMax)
        .inFlightEntriesPerPeerMax(entriesPerFrameMax * inFlightFactor)
        .deliveryBufferEntriesMax(deliveryBufferEntriesMax)
        .resendIntervalTicks(resendIntervalTicks)
        .heartbeatIntervalTicks(heartbeatIntervalTicks)
        .batchWindowTicks(batchWindowTicks)
        .stateTransferIntervalTicks(stateTransferIntervalTicks)
        .digestRangeCount(digestRangeCount)
        .relayDelayTicks(relayDelayTicks)
        .clockOffsetMillisMax(500)
        .build();
  }

  @SafeVarargs
  private static <T> T pick(SplittableRandom random, T... choices) {
    return choices[random.nextInt(choices.length)];
  }
}
