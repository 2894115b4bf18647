package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import java.util.List;
import java.util.Optional;

/**
 * Everything a {@link ReplicaCore} wants done, handed out by {@link ReplicaCore#ready()}. The
 * driver does it in this order, then hands the same object back with {@link
 * ReplicaCore#advance(Ready)}:
 *
 * <ol>
 *   <li>Append {@link #entries()} to the update log, in order, and make them durable (fsync). They
 *       are in causal order; {@link #logRecords()} are their records, already encoded.
 *   <li>Apply {@link #entries()} to the key states, in order, each entry all at once (a reader sees
 *       all of an entry's keys or none). Only persisted entries become visible.
 *   <li>If {@link #snapshot()} is present: join its key states into the key states atomically for
 *       readers, and durably record a checkpoint with vector {@code appliedVector() ⊔
 *       snapshot.vector()} and its HLC. It comes after the entries, never before: entries accepted
 *       after the snapshot wait for the next {@code Ready}.
 *   <li>Release {@link #acknowledgedRequests()} to their clients: their entries are now on disk.
 *   <li>Send {@link #frames()}, in any order and at any time, also before step 1: a frame only ever
 *       carries entries and vectors that were on disk before this {@code Ready} was made, so no
 *       peer hears of an entry, or an acknowledgement, before it is durable here.
 *   <li>Optionally delete log records at or below both {@link #trimmed()} and the last checkpoint.
 * </ol>
 *
 * <p>A crash anywhere in this sequence is safe: on restart the driver hands the log and the last
 * checkpoint to {@link ReplicaCore#restore}.
 *
 * @param entries entries to persist, then apply, in this order
 * @param logRecords the {@link LogRecordCodec} record of each of {@code entries}, in the same order
 * @param snapshot a state transfer to install after the entries
 * @param frames frames to send
 * @param acknowledgedRequests client request handles that may be answered once entries are durable
 * @param trimmed per origin, the highest seq that left the in-memory log
 */
public record Ready(
    List<LogEntry> entries,
    List<byte[]> logRecords,
    Optional<StateSnapshot> snapshot,
    List<OutboundFrame> frames,
    List<Long> acknowledgedRequests,
    VersionVector trimmed) {
  public Ready {
    entries = List.copyOf(entries);
    logRecords = List.copyOf(logRecords);
    if (logRecords.size() != entries.size()) {
      throw new IllegalArgumentException("one log record per entry");
    }
    frames = List.copyOf(frames);
    acknowledgedRequests = List.copyOf(acknowledgedRequests);
  }

  /** True when there is nothing to do. */
  public boolean isEmpty() {
    return entries.isEmpty()
        && snapshot.isEmpty()
        && frames.isEmpty()
        && acknowledgedRequests.isEmpty();
  }
}
