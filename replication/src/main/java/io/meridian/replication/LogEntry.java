package io.meridian.replication;

import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.clocks.ReplicaIds;
import io.meridian.clocks.VersionVector;
import java.util.List;

/**
 * One entry of the update log: a local update or batch of {@code origin}, the {@code seq}-th of its
 * entries, stamped with the origin's hybrid logical clock and the version vector {@code deps} the
 * origin had accepted when it made the entry. An entry keeps this identity wherever it travels;
 * {@code (origin, seq)} alone names it, which is what makes duplicates harmless.
 *
 * <p>Invariants, checked here: {@code seq >= 1}, {@code deps[origin] == seq - 1} (an origin's
 * entries form a chain), at least one key update. Equality is structural.
 *
 * @param origin the region that made the entry
 * @param seq its position among the origin's entries, densely from 1
 * @param hlc its HLC timestamp, above the timestamp of every entry in its causal past
 * @param deps what the origin had accepted before it; the entry is delivered only after it
 * @param updates the per-key updates, applied all at once
 */
public record LogEntry(
    String origin, long seq, long hlc, VersionVector deps, List<KeyUpdate> updates) {

  public LogEntry {
    ReplicaIds.require(origin);
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be at least 1: " + seq);
    }
    if (!HlcTimestamp.isValid(hlc)) {
      throw new IllegalArgumentException("invalid HLC timestamp: " + hlc);
    }
    if (deps.get(origin) != seq - 1) {
      throw new IllegalArgumentException(
          "deps must name the origin's previous entry: " + origin + ":" + seq + " deps " + deps);
    }
    updates = List.copyOf(updates);
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("an entry holds at least one key update");
    }
  }

  /** The entry's name, {@code (origin, seq)}. */
  public Dot dot() {
    return new Dot(origin, seq);
  }

  @Override
  public String toString() {
    return origin + ":" + seq + "@" + HlcTimestamp.toString(hlc) + " deps " + deps;
  }
}
