package io.meridian.replication;

import io.meridian.clocks.VersionVector;

/**
 * The vectors of one region whose order the core checks after every {@link ReplicaCore#step} and
 * {@link ReplicaCore#advance}: componentwise {@code settled <= stable <= acknowledged <= applied <=
 * accepted} (why, in {@link Stability}), and {@code stable <= trimmed <= applied}.
 *
 * <p>The direction between stable and trimmed: every stable entry leaves the log in the step that
 * makes it stable, so {@code stable <= trimmed}; but entries also leave the log without being
 * stable (past {@link ReplicationConfig#logEntriesPerOriginMax()}, before the gap a state transfer
 * leaves, and after a restart, where the stable vector starts empty above a rebuilt log), so {@code
 * trimmed <= stable} does not hold and is not asked.
 */
record VectorChain(
    VersionVector settled,
    VersionVector stable,
    VersionVector acknowledged,
    VersionVector applied,
    VersionVector accepted,
    VersionVector trimmed) {

  /**
   * Fails fast when the order is broken.
   *
   * @throws IllegalStateException naming {@code region} and every vector
   */
  void check(String region) {
    if (!stable.dominates(settled)
        || !acknowledged.dominates(stable)
        || !applied.dominates(acknowledged)
        || !accepted.dominates(applied)
        || !trimmed.dominates(stable)
        || !applied.dominates(trimmed)) {
      throw new IllegalStateException(
          "vector invariant broken at "
              + region
              + ": settled "
              + settled
              + ", stable "
              + stable
              + ", acknowledged "
              + acknowledged
              + ", applied "
              + applied
              + ", accepted "
              + accepted
              + ", trimmed "
              + trimmed);
    }
  }
}
