package io.meridian.server.region;

import io.meridian.replication.ReplicationMetrics;

/**
 * What {@link DriverSimulation} runs did, for the test's sanity checks and the figures; adds up
 * over seeds.
 */
final class DriverStatistics {
  long seeds;
  long ticks;
  long writes;
  long acknowledged;
  long retries;
  long retriesWhereApplied;
  long retriesWhereNotApplied;
  long sequencedRetries;
  long sequencedRetriesWhereApplied;
  long snapshotChecks;
  long crashes;
  long sessionRefusals;
  long clientErrors;
  long contextExpired;
  long checkpointFailures;
  long storageStops;
  long foldsThatChangedAState;
  long stateTransfersInstalled;
  long forcedTrimEntries;
  long duplicateEntries;
  long rejectedFrames;
  long droppedEntries;
  long readsShowingUnsynced;
  long crashesAfterUnsyncedShow;
  long readsServedAfterRefetch;
  long keyStoreReads;

  void add(DriverStatistics other) {
    seeds += other.seeds;
    ticks += other.ticks;
    writes += other.writes;
    acknowledged += other.acknowledged;
    retries += other.retries;
    retriesWhereApplied += other.retriesWhereApplied;
    retriesWhereNotApplied += other.retriesWhereNotApplied;
    sequencedRetries += other.sequencedRetries;
    sequencedRetriesWhereApplied += other.sequencedRetriesWhereApplied;
    snapshotChecks += other.snapshotChecks;
    crashes += other.crashes;
    sessionRefusals += other.sessionRefusals;
    clientErrors += other.clientErrors;
    contextExpired += other.contextExpired;
    checkpointFailures += other.checkpointFailures;
    storageStops += other.storageStops;
    foldsThatChangedAState += other.foldsThatChangedAState;
    stateTransfersInstalled += other.stateTransfersInstalled;
    forcedTrimEntries += other.forcedTrimEntries;
    duplicateEntries += other.duplicateEntries;
    rejectedFrames += other.rejectedFrames;
    droppedEntries += other.droppedEntries;
    readsShowingUnsynced += other.readsShowingUnsynced;
    crashesAfterUnsyncedShow += other.crashesAfterUnsyncedShow;
    readsServedAfterRefetch += other.readsServedAfterRefetch;
    keyStoreReads += other.keyStoreReads;
  }

  void addCore(ReplicationMetrics metrics) {
    stateTransfersInstalled += metrics.stateTransfersInstalled();
    forcedTrimEntries += metrics.forcedTrimEntries();
    duplicateEntries += metrics.duplicateEntries();
    rejectedFrames += metrics.rejectedFramesTotal();
    droppedEntries += metrics.droppedEntries();
  }

  @Override
  public String toString() {
    return seeds
        + " seeds, "
        + ticks
        + " ticks, "
        + writes
        + " writes ("
        + acknowledged
        + " acknowledged, "
        + retries
        + " retries with an operation id ("
        + retriesWhereApplied
        + " at a region that showed the write, "
        + retriesWhereNotApplied
        + " at one that did not), "
        + sequencedRetries
        + " with a client sequence ("
        + sequencedRetriesWhereApplied
        + " at a region that showed the write), "
        + clientErrors
        + " client errors, "
        + contextExpired
        + " of them context_expired), "
        + snapshotChecks
        + " snapshots checked, "
        + crashes
        + " restarts ("
        + storageStops
        + " after a failed checkpoint), "
        + checkpointFailures
        + " failed checkpoint commits, "
        + sessionRefusals
        + " session refusals, "
        + foldsThatChangedAState
        + " folds that changed a state, "
        + stateTransfersInstalled
        + " state transfers installed, "
        + forcedTrimEntries
        + " entries trimmed by force, "
        + duplicateEntries
        + " duplicate entries, "
        + rejectedFrames
        + " rejected frames, "
        + droppedEntries
        + " entries dropped by the delivery buffer, "
        + readsShowingUnsynced
        + " reads that showed entries not on the region's disk, "
        + crashesAfterUnsyncedShow
        + " crashes after such a read, "
        + readsServedAfterRefetch
        + " reads whose token a restarted region lacked at its start, "
        + keyStoreReads
        + " key states read from the checkpoint store";
  }
}
