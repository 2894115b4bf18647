package io.meridian.replication;

import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;

/**
 * The identity of the next local entry, handed out before the application builds the payload (CRDT
 * effects embed the dot and the timestamp). See {@link ReplicaCore#nextLocalStamp()}.
 *
 * @param origin this region
 * @param seq the entry's position among this region's entries
 * @param hlc the entry's HLC timestamp, above every timestamp in its causal past
 * @param deps the entries the new one depends on
 */
public record LocalStamp(String origin, long seq, long hlc, VersionVector deps) {
  /** The dot the entry will have. */
  public Dot dot() {
    return new Dot(origin, seq);
  }
}
