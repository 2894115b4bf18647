package io.meridian.replication;

import java.util.List;
import java.util.Set;

/**
 * What replication needs from the application's key states for anti-entropy. The server implements
 * it over MapDB and the CRDT types; the simulator over a map in memory.
 *
 * <p>{@link ReplicaCore} calls these methods only from {@link ReplicaCore#ready()}, when every
 * {@link Ready} before has been handed back with {@link ReplicaCore#advance(Ready)}: the visible
 * state then reflects exactly {@link ReplicaCore#appliedVector()}.
 *
 * <p>Key states must form a join semilattice whose join is what {@link StateSnapshot} install does
 * (for operation-based types, a state that records per-origin contributions), so that installing a
 * state joins it with what is there without counting anything twice.
 */
public interface ApplicationState {
  /**
   * One digest per range, {@code rangeCount} in all, index = range as {@link KeyRanges#rangeOf}
   * gives it. Equal key states in a range must give equal digests (encode deterministically); a
   * range without keys has the digest of nothing. Use a collision-resistant hash (SHA-256): equal
   * digests are taken as equal states.
   */
  List<byte[]> rangeDigests(int rangeCount);

  /** The states of every key in the given ranges. */
  List<KeyState> keyStates(Set<Integer> ranges, int rangeCount);
}
