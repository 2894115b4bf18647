package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import io.meridian.replication.PendingWork.AcceptedEntry;
import java.util.ArrayDeque;
import java.util.Collection;

/**
 * Acknowledgement, stability and settling of one region: the vectors that say what may leave the
 * log and what the application may fold its CRDT states with. Everything else refers here.
 *
 * <h2>The acknowledgement rule</h2>
 *
 * <p>A region acknowledges its applied vector held back to the basis of its first local entry not
 * applied yet, a local entry's basis being the applied vector when it was stamped: the state its
 * payload was prepared on. Why: a local entry stamped while entries its deps name were accepted but
 * not applied (an outstanding {@code Ready}, a state transfer) was prepared without them.
 * Acknowledging them before that entry is applied would let a peer count them stable everywhere
 * while the entry is outside every applied vector it knows of, settle, and fold away what the
 * entry's payload refers to before it arrives. Held back, an acknowledgement covering what such an
 * entry lacks travels with an applied vector covering the entry (the same frame's). The hold waits
 * only for the region's own {@code Ready}s: the acknowledgement equals the applied vector once the
 * local entries stamped before the applied vector last moved are applied. It only grows: the
 * applied vector only grows, bases grow with seq (an entry stamped later has a basis at or above
 * the applied vector of its stamp, hence above every earlier acknowledgement), and a restarted
 * region acknowledges what it applied, which covers what it acknowledged before.
 *
 * <h2>Stable and settled</h2>
 *
 * <p>The stable vector is the meet of every region's acknowledgement (this region's own included),
 * joined with the stable vectors peers report (each at or below this region's acknowledgement, as
 * frame validation requires): every entry at or below it is on disk everywhere, and leaves the log.
 * The settled vector is what the application folds with: a meet of acknowledgements becomes settled
 * once this region has applied the join of the applied vectors of the peers whose acknowledgements
 * made it (the witness). By the rule, an entry concurrent with a stable one, or prepared without
 * it, is inside its origin's applied vector whenever the origin's acknowledgement covers the stable
 * one, hence inside the witness, hence applied here before the fold. This region's own unapplied
 * entries are also checked directly ({@link #noUnappliedEntryMayBeConcurrentWith}), which the rule
 * already implies. Entries stamped once the candidate was applied here never block it, so a steady
 * stream of writes cannot hold it back; one candidate at a time keeps this bounded.
 *
 * <p>So {@code settled <= stable <= acknowledged <= applied}, componentwise.
 */
final class Stability {
  private VersionVector acknowledged = VersionVector.empty();

  /** The bases of this region's entries accepted but not applied, in seq order. */
  private final ArrayDeque<VersionVector> unappliedLocalBases = new ArrayDeque<>();

  private VersionVector stable = VersionVector.empty();
  private VersionVector settled = VersionVector.empty();

  /** A meet of acknowledgements waiting to settle, and the join of applied vectors it waits for. */
  private VersionVector settlingCandidate;

  private VersionVector settlingWitness;

  /** What this region acknowledges: the applied vector held back by the rule above. */
  VersionVector acknowledged() {
    return acknowledged;
  }

  VersionVector stable() {
    return stable;
  }

  VersionVector settled() {
    return settled;
  }

  /** After a restart: the region acknowledges what it applied. */
  void restored(VersionVector applied) {
    acknowledged = applied;
  }

  /** A local entry stamped on {@code basis} was accepted; it holds the acknowledgement back. */
  void localEntryAccepted(VersionVector basis) {
    unappliedLocalBases.addLast(basis);
  }

  /** The oldest local entry not applied yet is applied (entries are applied in seq order). */
  void localEntryApplied() {
    unappliedLocalBases.pollFirst();
  }

  /**
   * Moves the acknowledgement to {@code applied} held back to the first unapplied local basis
   * (bases grow with seq, so that is the meet with every such basis).
   *
   * @throws IllegalStateException when it would go back, which the rule rules out
   */
  void acknowledge(VersionVector applied) {
    VersionVector basis = unappliedLocalBases.peekFirst();
    VersionVector next = basis == null ? applied : applied.meet(basis);
    if (!next.dominates(acknowledged)) {
      throw new IllegalStateException(
          "the acknowledged vector would go back from " + acknowledged + " to " + next);
    }
    acknowledged = next;
  }

  /** A frame of {@code peer} reported its acknowledgement and its stable vector. */
  void heard(PeerState peer, VersionVector peerAcknowledged, VersionVector peerStable) {
    peer.acknowledged = peer.acknowledged.merge(peerAcknowledged);
    stable = stable.merge(peerStable);
  }

  /**
   * Moves the stable vector to the meet of every acknowledgement, and the settled vector as far as
   * the witness and the unapplied entries allow.
   *
   * @param applied this region's applied vector
   * @param peers what this region knows of every peer: acknowledgements and applied vectors
   * @param unapplied the entries this region accepted and has not applied
   */
  void update(
      VersionVector applied, Collection<PeerState> peers, Collection<AcceptedEntry> unapplied) {
    VersionVector acknowledgedByAll = acknowledged;
    for (PeerState peer : peers) {
      acknowledgedByAll = acknowledgedByAll.meet(peer.acknowledged);
    }
    stable = stable.merge(acknowledgedByAll);
    settle(acknowledgedByAll, applied, peers, unapplied);
  }

  private void settle(
      VersionVector acknowledgedByAll,
      VersionVector applied,
      Collection<PeerState> peers,
      Collection<AcceptedEntry> unapplied) {
    if (settlingCandidate != null
        && applied.dominates(settlingWitness)
        && noUnappliedEntryMayBeConcurrentWith(settlingCandidate, unapplied)) {
      settled = settled.merge(settlingCandidate);
      settlingCandidate = null;
    }
    if (settlingCandidate != null || settled.dominates(acknowledgedByAll)) {
      return;
    }
    VersionVector witness = applied;
    for (PeerState peer : peers) {
      witness = witness.merge(peer.known);
    }
    if (applied.dominates(witness)
        && noUnappliedEntryMayBeConcurrentWith(acknowledgedByAll, unapplied)) {
      settled = settled.merge(acknowledgedByAll);
    } else {
      settlingCandidate = acknowledgedByAll;
      settlingWitness = witness;
    }
  }

  /**
   * True when every entry accepted but not applied was prepared on a state that covers {@code
   * candidate}: a local entry on the applied vector of its stamp, a received one on its deps.
   */
  static boolean noUnappliedEntryMayBeConcurrentWith(
      VersionVector candidate, Collection<AcceptedEntry> unapplied) {
    for (AcceptedEntry item : unapplied) {
      if (!item.basis().dominates(candidate)) {
        return false;
      }
    }
    return true;
  }
}
