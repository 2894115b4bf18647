package io.meridian.replication;

import static io.meridian.replication.TestFrames.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.VersionVector;
import io.meridian.replication.PendingWork.AcceptedEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Acknowledgement, stability and settling of region a, with peers b and c, fed vectors by hand: the
 * acknowledgement rule (see {@link Stability}), the stable vector as the meet of acknowledgements,
 * and what holds the settled vector back.
 */
class StabilityTest {
  private final Stability stability = new Stability();
  private final PeerState b = new PeerState("b");
  private final PeerState c = new PeerState("c");
  private final List<PeerState> peers = List.of(b, c);

  @Test
  void theAcknowledgementIsTheAppliedVectorHeldBackToTheFirstUnappliedLocalBasis() {
    stability.acknowledge(vector("a", 1, "b", 2));
    assertThat(stability.acknowledged()).isEqualTo(vector("a", 1, "b", 2));

    // a2 is stamped while b3 is accepted but not applied: its payload lacks b3.
    stability.localEntryAccepted(vector("a", 1, "b", 2));
    stability.acknowledge(vector("a", 1, "b", 3));
    assertThat(stability.acknowledged()).isEqualTo(vector("a", 1, "b", 2));

    // a3 is stamped on b3; a2 is applied, a3 not yet: only a3's basis holds it back now.
    stability.localEntryAccepted(vector("a", 1, "b", 3));
    stability.localEntryApplied();
    stability.acknowledge(vector("a", 2, "b", 4));
    assertThat(stability.acknowledged()).isEqualTo(vector("a", 1, "b", 3));

    stability.localEntryApplied();
    stability.acknowledge(vector("a", 3, "b", 4));
    assertThat(stability.acknowledged()).isEqualTo(vector("a", 3, "b", 4));
  }

  @Test
  void anAcknowledgementThatWouldGoBackFailsFast() {
    stability.acknowledge(vector("a", 2, "b", 1));
    assertThatThrownBy(() -> stability.acknowledge(vector("a", 1, "b", 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would go back");
    assertThat(stability.acknowledged()).isEqualTo(vector("a", 2, "b", 1));
  }

  @Test
  void stableIsTheMeetOfEveryAcknowledgementJoinedWithTheStableVectorsPeersReport() {
    VersionVector applied = vector("a", 2, "b", 2, "c", 1);
    stability.acknowledge(applied);
    stability.heard(b, vector("a", 1, "b", 2, "c", 1), VersionVector.empty());
    b.known = applied;
    stability.update(applied, peers, List.of());
    // c has not acknowledged anything: nothing is stable, whatever a and b acknowledged.
    assertThat(stability.stable()).isEqualTo(VersionVector.empty());

    stability.heard(c, vector("a", 2, "b", 1), VersionVector.empty());
    c.known = vector("a", 2, "b", 1);
    stability.update(applied, peers, List.of());
    assertThat(stability.stable()).isEqualTo(vector("a", 1, "b", 1));

    // c learnt from others that a2 is stable; it reports so, and the stable vector joins it.
    stability.heard(c, VersionVector.empty(), vector("a", 2));
    stability.update(applied, peers, List.of());
    assertThat(stability.stable()).isEqualTo(vector("a", 2, "b", 1));
    assertThat(applied.dominates(stability.acknowledged())).isTrue();
    assertThat(stability.acknowledged().dominates(stability.stable())).isTrue();
    assertThat(stability.stable().dominates(stability.settled())).isTrue();
  }

  @Test
  void aStableVectorSettlesOnlyOnceThisRegionAppliedWhatThePeersApplied() {
    VersionVector applied = vector("a", 1, "b", 1);
    stability.acknowledge(applied);
    stability.heard(b, applied, VersionVector.empty());
    stability.heard(c, applied, VersionVector.empty());
    b.known = applied;
    // c has applied its own c1, which may have been prepared without a1 or b1.
    c.known = applied.with("c", 1);
    stability.update(applied, peers, List.of());
    assertThat(stability.stable()).isEqualTo(applied);
    assertThat(stability.settled()).isEqualTo(VersionVector.empty());

    VersionVector withC1 = applied.with("c", 1);
    stability.acknowledge(withC1);
    stability.update(withC1, peers, List.of());
    assertThat(stability.settled()).isEqualTo(applied);
  }

  @Test
  void anUnappliedEntryPreparedWithoutTheCandidateHoldsItBackUntilApplied() {
    VersionVector applied = vector("a", 1, "b", 1);
    everyoneAcknowledges(applied);
    AcceptedEntry preparedWithoutB1 =
        new AcceptedEntry(entry("c", 1), entry("c", 1).dot(), null, null, vector("a", 1));
    stability.update(applied, peers, List.of(preparedWithoutB1));
    assertThat(stability.stable()).isEqualTo(applied);
    assertThat(stability.settled()).isEqualTo(VersionVector.empty());

    stability.update(applied.with("c", 1), peers, List.of());
    assertThat(stability.settled()).isEqualTo(applied);
  }

  @Test
  void localEntriesStampedAfterTheCandidateWasAppliedDoNotHoldItBack() {
    VersionVector applied = vector("a", 1, "b", 1);
    b.known = applied.with("b", 2);
    everyoneAcknowledges(applied);
    stability.update(applied, peers, List.of());
    assertThat(stability.settled()).isEqualTo(VersionVector.empty());

    // A steady stream of local writes, each stamped on everything applied so far.
    VersionVector now = applied.with("b", 2);
    for (long seq = 2; seq <= 4; seq++) {
      stability.localEntryAccepted(now);
      AcceptedEntry local =
          new AcceptedEntry(entry("a", seq), entry("a", seq).dot(), null, 1L, now);
      stability.update(now, peers, List.of(local));
      stability.localEntryApplied();
      now = now.with("a", seq);
    }
    assertThat(stability.settled()).isEqualTo(applied);
  }

  private void everyoneAcknowledges(VersionVector applied) {
    stability.acknowledge(applied);
    for (PeerState peer : peers) {
      stability.heard(peer, applied, VersionVector.empty());
      if (peer.known.isEmpty()) {
        peer.known = applied;
      }
    }
  }

  /** A vector from pairs of region and seq. */
  private static VersionVector vector(Object... regionsAndSeqs) {
    VersionVector vector = VersionVector.empty();
    for (int i = 0; i < regionsAndSeqs.length; i += 2) {
      vector =
          vector.with((String) regionsAndSeqs[i], ((Number) regionsAndSeqs[i + 1]).longValue());
    }
    return vector;
  }
}
