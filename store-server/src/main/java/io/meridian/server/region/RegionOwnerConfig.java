package io.meridian.server.region;

import io.meridian.replication.ReplicationConfig;
import io.meridian.server.storage.UpdateLogConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How one region runs. Every bound is named with its unit last.
 *
 * @param replication the protocol's bounds and intervals, this region's name and every region's
 * @param dataDirectory where the update log and the checkpoints live (held exclusively)
 * @param updateLog the log's bounds; its append queue holds at least one {@code Ready}'s entries
 *     ({@link ReplicationConfig#entriesPerReadyMax()}), since the driver appends one {@code Ready}
 *     at a time and an append the log refused would stop the region
 * @param tickMillis wall-clock milliseconds per protocol tick
 * @param checkpointIntervalMillis time between checkpoints (and between GC folds)
 * @param operationIdRetentionMillis how long an applied operation id is refused again
 * @param operationIdsMax operation ids remembered at most; past it the oldest is forgotten early
 * @param pendingWritesMax local writes waiting for their entry to be durable; past it a write is
 *     answered {@code overloaded}
 * @param sessionWaitersMax requests waiting for their session guarantees; past it a request is
 *     answered {@code overloaded}
 * @param remoteVisibleBeforeFsync whether another region's entry becomes visible here as soon as
 *     its {@code Ready} is taken, before this region's own fsync of it (durable at its origin,
 *     which keeps it until stable; docs/life-of-a-write.md, "Visibility before the receiver's
 *     fsync"); false makes it wait for the fsync like a local entry
 * @param stateCacheBytes the budget of the cache of decoded key states of keys unchanged since the
 *     last checkpoint, in bytes of heap as estimated from each key's encoded size (about 12 times
 *     it, plus 128); 0 caches nothing (every read of such a key decodes it from the checkpoint
 *     store)
 * @param changedKeysMax keys changed since the last checkpoint (held decoded in memory) past which
 *     the region checkpoints early, without waiting for {@code checkpointIntervalMillis}
 * @param changedKeysHardMax keys changed and not yet on disk (changed since the last checkpoint
 *     plus those of the checkpoint being committed) past which local writes are answered {@code
 *     overloaded}, so the heap stays bounded when the checkpoint store falls behind; at least
 *     {@code changedKeysMax}
 */
public record RegionOwnerConfig(
    ReplicationConfig replication,
    Path dataDirectory,
    UpdateLogConfig updateLog,
    long tickMillis,
    long checkpointIntervalMillis,
    long operationIdRetentionMillis,
    int operationIdsMax,
    int pendingWritesMax,
    int sessionWaitersMax,
    boolean remoteVisibleBeforeFsync,
    long stateCacheBytes,
    int changedKeysMax,
    int changedKeysHardMax) {

  /** The factor from {@link #changedKeysMax} to {@link #changedKeysHardMax} by default. */
  public static final int CHANGED_KEYS_HARD_FACTOR = 4;

  public RegionOwnerConfig {
    Objects.requireNonNull(replication, "replication");
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(updateLog, "updateLog");
    positive(tickMillis, "tickMillis");
    positive(checkpointIntervalMillis, "checkpointIntervalMillis");
    positive(operationIdRetentionMillis, "operationIdRetentionMillis");
    positive(operationIdsMax, "operationIdsMax");
    positive(pendingWritesMax, "pendingWritesMax");
    positive(sessionWaitersMax, "sessionWaitersMax");
    if (stateCacheBytes < 0) {
      throw new IllegalArgumentException(
          "stateCacheBytes must not be negative: " + stateCacheBytes);
    }
    positive(changedKeysMax, "changedKeysMax");
    if (changedKeysHardMax < changedKeysMax) {
      throw new IllegalArgumentException(
          "changedKeysHardMax ("
              + changedKeysHardMax
              + ") must be at least changedKeysMax ("
              + changedKeysMax
              + ")");
    }
    if (updateLog.appendQueueEntriesMax() < replication.entriesPerReadyMax()) {
      throw new IllegalArgumentException(
          "the update log's append queue ("
              + updateLog.appendQueueEntriesMax()
              + ") must hold one Ready's entries ("
              + replication.entriesPerReadyMax()
              + ")");
    }
  }

  private static void positive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  /**
   * The defaults: ticks of 10 ms (what {@link ReplicationConfig#builder} assumes), a checkpoint
   * every 10 s, operation ids kept 24 h (at most 2,000,000), 50,000 pending writes, 10,000 waiting
   * sessions, remote entries visible before the receiver's fsync, a cache of 64 MiB of decoded key
   * states, an early checkpoint at 100,000 changed keys, writes refused past 400,000.
   */
  public static RegionOwnerConfig defaults(ReplicationConfig replication, Path dataDirectory) {
    return new RegionOwnerConfig(
        replication,
        dataDirectory,
        UpdateLogConfig.defaults(),
        10,
        10_000,
        24L * 60 * 60 * 1000,
        2_000_000,
        50_000,
        10_000,
        true,
        DEFAULT_STATE_CACHE_BYTES,
        100_000,
        CHANGED_KEYS_HARD_FACTOR * 100_000);
  }

  /** The default of {@link #stateCacheBytes}: 64 MiB. */
  public static final long DEFAULT_STATE_CACHE_BYTES = 64L << 20;

  public RegionOwnerConfig withCheckpointIntervalMillis(long millis) {
    return new RegionOwnerConfig(
        replication,
        dataDirectory,
        updateLog,
        tickMillis,
        millis,
        operationIdRetentionMillis,
        operationIdsMax,
        pendingWritesMax,
        sessionWaitersMax,
        remoteVisibleBeforeFsync,
        stateCacheBytes,
        changedKeysMax,
        changedKeysHardMax);
  }

  public RegionOwnerConfig withOperationIdRetentionMillis(long millis) {
    return new RegionOwnerConfig(
        replication,
        dataDirectory,
        updateLog,
        tickMillis,
        checkpointIntervalMillis,
        millis,
        operationIdsMax,
        pendingWritesMax,
        sessionWaitersMax,
        remoteVisibleBeforeFsync,
        stateCacheBytes,
        changedKeysMax,
        changedKeysHardMax);
  }

  public RegionOwnerConfig withUpdateLog(UpdateLogConfig log) {
    return new RegionOwnerConfig(
        replication,
        dataDirectory,
        log,
        tickMillis,
        checkpointIntervalMillis,
        operationIdRetentionMillis,
        operationIdsMax,
        pendingWritesMax,
        sessionWaitersMax,
        remoteVisibleBeforeFsync,
        stateCacheBytes,
        changedKeysMax,
        changedKeysHardMax);
  }

  /** This configuration with {@link #remoteVisibleBeforeFsync()} set to {@code early}. */
  public RegionOwnerConfig withRemoteVisibleBeforeFsync(boolean early) {
    return new RegionOwnerConfig(
        replication,
        dataDirectory,
        updateLog,
        tickMillis,
        checkpointIntervalMillis,
        operationIdRetentionMillis,
        operationIdsMax,
        pendingWritesMax,
        sessionWaitersMax,
        early,
        stateCacheBytes,
        changedKeysMax,
        changedKeysHardMax);
  }

  /** A copy with another state cache budget; see the record's fields. */
  public RegionOwnerConfig withStateCacheBytes(long cacheBytes) {
    return withStateMemory(cacheBytes, changedKeysMax);
  }

  /**
   * A copy with another state cache budget and early-checkpoint bound, writes refused past {@link
   * #CHANGED_KEYS_HARD_FACTOR} times that bound; see the record's fields.
   */
  public RegionOwnerConfig withStateMemory(long cacheBytes, int changedKeys) {
    return withStateMemory(
        cacheBytes,
        changedKeys,
        (int) Math.min(Integer.MAX_VALUE, (long) CHANGED_KEYS_HARD_FACTOR * changedKeys));
  }

  /**
   * A copy with another state cache budget, early-checkpoint bound and hard bound of changed keys;
   * see the record's fields.
   */
  public RegionOwnerConfig withStateMemory(long cacheBytes, int changedKeys, int changedKeysHard) {
    return new RegionOwnerConfig(
        replication,
        dataDirectory,
        updateLog,
        tickMillis,
        checkpointIntervalMillis,
        operationIdRetentionMillis,
        operationIdsMax,
        pendingWritesMax,
        sessionWaitersMax,
        remoteVisibleBeforeFsync,
        cacheBytes,
        changedKeys,
        changedKeysHard);
  }

  /** The region's name. */
  public String name() {
    return replication.self();
  }
}
