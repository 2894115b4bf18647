package io.meridian.replication;

import static io.meridian.replication.TestFrames.HLC;
import static io.meridian.replication.TestFrames.core;
import static io.meridian.replication.TestFrames.cycle;
import static io.meridian.replication.TestFrames.entry;
import static io.meridian.replication.TestFrames.frame;
import static io.meridian.replication.TestFrames.observable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.FrameProto;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The core alone, fed frames built by hand. */
class ReplicaCoreTest {
  private static final VersionVector A3 = VersionVector.of("a", 3);

  @Test
  void anEntryWaitsForItsPredecessorThenBothComeOutInOrder() {
    ReplicaCore core = core("b", 10);
    assertThat(core.step(frame("a", A3, entry("a", 2)))).isEqualTo(FrameVerdict.ACCEPTED);
    assertThat(cycle(core).entries()).isEmpty();
    assertThat(core.metrics().deliveryBufferEntries()).isEqualTo(1);

    core.step(frame("a", A3, entry("a", 1)));
    assertThat(cycle(core).entries()).containsExactly(entry("a", 1), entry("a", 2));
    assertThat(core.appliedVector()).isEqualTo(VersionVector.of("a", 2));
    assertThat(core.metrics().deliveryBufferEntries()).isZero();
  }

  @Test
  void anEntryWaitsForItsDependenciesFromAnotherOrigin() {
    ReplicaCore core = core("b", 10);
    LogEntry dependent = entry("c", 1, VersionVector.of("a", 1), "x");
    VersionVector cApplied = VersionVector.of("a", 1).with("c", 1);
    core.step(frame("c", cApplied, dependent));
    assertThat(cycle(core).entries()).isEmpty();
    core.step(frame("a", A3, entry("a", 1)));
    assertThat(cycle(core).entries()).containsExactly(entry("a", 1), dependent);
  }

  @Test
  void theEventualModeAcceptsWithoutTheDependenciesButKeepsEachOriginInOrder() {
    ReplicaCore core =
        new ReplicaCore(
            ReplicationConfig.builder("b", TestFrames.REGIONS)
                .heartbeatIntervalTicks(3)
                .digestRangeCount(4)
                .eventualDeliveryForBenchmarksOnly()
                .build(),
            new ManualPhysicalClock(1_700_000_000_000L),
            TestFrames.EMPTY_APPLICATION);
    LogEntry dependent = entry("c", 1, VersionVector.of("a", 1), "x");
    core.step(frame("c", VersionVector.of("a", 1).with("c", 1), dependent));
    assertThat(cycle(core).entries()).containsExactly(dependent);
    // A gap in one origin's sequence still waits: the vectors summarise a prefix per origin.
    core.step(frame("a", A3, entry("a", 2)));
    assertThat(cycle(core).entries()).isEmpty();
    core.step(frame("a", A3, entry("a", 1)));
    assertThat(cycle(core).entries()).containsExactly(entry("a", 1), entry("a", 2));
  }

  @Test
  void aFullBufferDropsEntriesThatAreFetchedAgainLater() {
    ReplicaCore core = core("b", 2);
    VersionVector applied = VersionVector.of("a", 5);
    core.step(frame("a", applied, entry("a", 2), entry("a", 3), entry("a", 4), entry("a", 5)));
    assertThat(core.metrics().deliveryBufferEntries()).isEqualTo(2);
    assertThat(core.metrics().droppedEntries()).isEqualTo(2);

    core.step(frame("a", applied, entry("a", 1)));
    assertThat(cycle(core).entries()).hasSize(3);
    core.step(frame("a", applied, entry("a", 4), entry("a", 5)));
    assertThat(cycle(core).entries()).containsExactly(entry("a", 4), entry("a", 5));
    assertThat(core.appliedVector()).isEqualTo(applied);
  }

  @Test
  void aReadyHandsOutAtMostItsBoundOfEntriesAndTheRestComeNext() {
    ReplicationConfig config =
        ReplicationConfig.builder("b", List.of("a", "b", "c")).entriesPerReadyMax(2).build();
    ReplicaCore core =
        new ReplicaCore(
            config, new ManualPhysicalClock(1_700_000_000_000L), TestFrames.EMPTY_APPLICATION);
    VersionVector applied = VersionVector.of("a", 5);
    core.step(
        frame(
            "a",
            applied,
            entry("a", 1),
            entry("a", 2),
            entry("a", 3),
            entry("a", 4),
            entry("a", 5)));

    Ready first = cycle(core);
    assertThat(first.entries()).containsExactly(entry("a", 1), entry("a", 2));
    assertThat(first.logRecords()).hasSize(2);
    assertThat(LogRecordCodec.decode(first.logRecords().get(1))).isEqualTo(entry("a", 2));
    assertThat(cycle(core).entries()).containsExactly(entry("a", 3), entry("a", 4));
    assertThat(cycle(core).entries()).containsExactly(entry("a", 5));
    assertThat(core.appliedVector()).isEqualTo(applied);
  }

  @Test
  void anEntryIsAcknowledgedOnlyAfterTheDriverPersistedIt() throws Exception {
    ReplicaCore core = core("b", 10);
    core.step(frame("a", A3, entry("a", 1)));
    Ready first = core.ready();
    assertThat(first.entries()).containsExactly(entry("a", 1));
    for (OutboundFrame frame : first.frames()) {
      assertThat(appliedIn(frame)).isEqualTo(VersionVector.empty());
    }
    core.advance(first);
    for (int i = 0; i < 3; i++) {
      core.tick();
    }
    Ready heartbeat = cycle(core);
    assertThat(heartbeat.frames()).isNotEmpty();
    for (OutboundFrame frame : heartbeat.frames()) {
      assertThat(appliedIn(frame)).isEqualTo(VersionVector.of("a", 1));
    }
  }

  @Test
  void heartbeatsMoveNoSeq() {
    ReplicaCore core = core("b", 10);
    for (int i = 0; i < 30; i++) {
      core.tick();
      Ready ready = cycle(core);
      for (OutboundFrame frame : ready.frames()) {
        assertThat(core("c", 10).step(frame.bytes())).isEqualTo(FrameVerdict.ACCEPTED);
      }
    }
    assertThat(core.appliedVector()).isEqualTo(VersionVector.empty());
    assertThat(core.nextLocalStamp().seq()).isEqualTo(1);
  }

  @Test
  void aLocalEntryIsAcknowledgedToItsClientInTheReadyThatPersistsIt() {
    ReplicaCore core = core("a", 10);
    LocalStamp stamp = core.nextLocalStamp();
    core.appendLocal(stamp, List.of(new KeyUpdate("bucket", "key", new byte[] {7})), 42L);
    Ready ready = cycle(core);
    assertThat(ready.entries()).hasSize(1);
    assertThat(ready.acknowledgedRequests()).containsExactly(42L);
    assertThatThrownBy(
            () -> core.appendLocal(stamp, List.of(new KeyUpdate("bucket", "key", new byte[0]))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLocalStampIsAboveEveryTimestampItDependsOn() {
    ReplicaCore core = core("b", 10);
    long farAhead = HLC + (3_600_000L << 16);
    LogEntry ahead =
        new LogEntry(
            "a", 1, farAhead, VersionVector.empty(), List.of(new KeyUpdate("x", "y", new byte[0])));
    core.step(frame("a", VersionVector.of("a", 1), ahead));
    assertThat(core.metrics().clockAheadEvents()).isEqualTo(1);
    assertThat(core.nextLocalStamp().hlc()).isGreaterThan(farAhead);
  }

  @Test
  void invalidFramesAreRejectedCountedAndChangeNothing() {
    ReplicaCore core = core("b", 10);
    core.step(frame("a", A3, entry("a", 1)));
    cycle(core);
    String before = observable(core);
    LogEntry forged =
        new LogEntry(
            "a", 1, HLC + 1, VersionVector.empty(), List.of(new KeyUpdate("o", "p", new byte[0])));

    assertRejected(core, frame("z", A3), FrameVerdict.UNKNOWN_REGION);
    assertRejected(core, frame("b", A3), FrameVerdict.UNKNOWN_REGION);
    assertRejected(
        core,
        frame("a", VersionVector.of("a", 1), entry("a", 2)),
        FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(
        core,
        frame("a", A3, A3.with("a", 4), VersionVector.empty()),
        FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(
        core,
        frame("a", A3, VersionVector.empty(), A3.with("a", 4)),
        FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(
        core, frame("a", A3, A3, VersionVector.empty()), FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(
        core, frame("a", A3, entry("a", 3), entry("a", 2)), FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(core, frame("a", A3, forged), FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(
        core,
        frame("a", VersionVector.of("b", 1), entry("b", 1)),
        FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(core, frame("a", VersionVector.of("q", 1)), FrameVerdict.INVARIANT_VIOLATION);
    assertRejected(
        core,
        rewrite(frame("a", A3), b -> b.setProtocolVersion(2)),
        FrameVerdict.UNSUPPORTED_VERSION);
    assertRejected(
        core, rewrite(frame("a", A3), b -> b.setSender("Bad Name")), FrameVerdict.MALFORMED);
    assertRejected(core, new byte[] {(byte) 0xff, 1, 2}, FrameVerdict.MALFORMED);
    assertRejected(core, new byte[(1 << 20) + 1], FrameVerdict.TOO_LARGE);
    assertRejected(
        core,
        rewrite(
            frame("a", A3, entry("a", 2)),
            b -> b.setEntries(0, b.getEntries(0).toBuilder().setDeps(ClocksCodec.toProto(A3)))),
        FrameVerdict.MALFORMED);

    assertThat(observable(core)).isEqualTo(before);
    assertThat(core.metrics().rejectedFramesTotal()).isEqualTo(15);
  }

  @Test
  void aStateTransferIsRequestedWhenNoPeerStillHoldsTheMissingEntries() throws Exception {
    ReplicaCore core = core("b", 10);
    VersionVector applied = VersionVector.of("a", 9);
    core.step(frame("a", applied, VersionVector.empty(), VersionVector.of("a", 5), entry("a", 6)));
    Ready ready = cycle(core);
    assertThat(ready.entries()).isEmpty();
    assertThat(ready.frames())
        .anySatisfy(
            frame -> {
              assertThat(frame.peer()).isEqualTo("a");
              assertThat(parse(frame).hasDigestRequest()).isTrue();
            });
    assertThat(core.metrics().stateTransfersRequested()).isEqualTo(1);
  }

  /**
   * A local entry stamped while a remote entry is accepted but not applied (its {@code Ready} is
   * outstanding) depends on it by its deps, but its payload was prepared on a state without it.
   * Once the remote entry is applied and acknowledged everywhere, it is stable; it must not settle
   * while the local entry is still unapplied here, or a fold could drop what the local payload
   * refers to.
   */
  @Test
  void aStableEntryDoesNotSettleWhileALocalEntryPreparedWithoutItIsUnapplied() {
    ReplicaCore core = core("a", 10);
    VersionVector remote = VersionVector.of("b", 1);
    core.step(frame("b", remote, entry("b", 1)));
    core.step(frame("c", remote));
    Ready remoteEntry = core.ready();
    assertThat(remoteEntry.entries()).containsExactly(entry("b", 1));
    LocalStamp stamp = core.nextLocalStamp();
    assertThat(stamp.deps()).isEqualTo(remote);
    core.appendLocal(stamp, List.of(new KeyUpdate("bucket", "key", new byte[] {7})));
    core.advance(remoteEntry);

    assertThat(core.appliedVector()).isEqualTo(remote);
    assertThat(core.acknowledgedVector()).isEqualTo(VersionVector.empty());
    assertThat(core.stableVector()).isEqualTo(VersionVector.empty());
    assertThat(core.acceptedVector()).isNotEqualTo(core.appliedVector());
    assertThat(core.settledStableVector()).isEqualTo(VersionVector.empty());

    assertThat(cycle(core).entries()).hasSize(1);
    assertThat(core.acceptedVector()).isEqualTo(core.appliedVector());
    assertThat(core.acknowledgedVector()).isEqualTo(core.appliedVector());
    assertThat(core.stableVector()).isEqualTo(remote);
    assertThat(core.settledStableVector()).isEqualTo(remote);
  }

  /**
   * Under a steady stream of local writes a region always has an entry accepted but not applied,
   * each stamped while the previous one's {@code Ready} was outstanding: its acknowledgement stays
   * one entry behind what it applied, and the settled vector still follows, because entries stamped
   * once a candidate was applied here were prepared on a state covering it.
   */
  @Test
  void theSettledVectorKeepsMovingWhileLocalWritesAreAlwaysInFlight() {
    ReplicaCore core = core("a", 10);
    core.appendLocal(
        core.nextLocalStamp(), List.of(new KeyUpdate("bucket", "key", new byte[] {1})));
    int writes = 20;
    for (int seq = 1; seq <= writes; seq++) {
      Ready ready = core.ready();
      assertThat(ready.entries()).hasSize(1);
      core.appendLocal(
          core.nextLocalStamp(), List.of(new KeyUpdate("bucket", "key", new byte[] {1})));
      core.advance(ready);
      VersionVector acknowledgement = VersionVector.of("a", seq);
      core.step(frame("b", acknowledgement));
      core.step(frame("c", acknowledgement));
      assertThat(core.acceptedVector().get("a")).isEqualTo(seq + 1L);
      assertThat(core.acknowledgedVector()).isEqualTo(VersionVector.of("a", seq - 1));
      assertThat(core.stableVector()).isEqualTo(core.acknowledgedVector());
      assertThat(core.settledStableVector().get("a")).isGreaterThanOrEqualTo(seq - 1L);
    }
  }

  /**
   * The peer case: region a stamps a local entry while a remote entry its deps name is accepted but
   * not applied (its {@code Ready} is outstanding), so the local payload was prepared without it; a
   * then applies the remote entry and tells b so in a heartbeat while the local entry is still
   * unapplied there. Every region has now applied the remote entry, but b must not settle it before
   * it has applied a's local entry, or a fold at b could drop what that entry's payload refers to.
   */
  @Test
  void aPeerDoesNotAcknowledgeAnEntryItsOwnUnappliedEntryWasPreparedWithout() throws Exception {
    ReplicaCore peer = core("a", 10);
    ReplicaCore region = core("b", 10);
    VersionVector remote = VersionVector.of("c", 1);
    peer.step(frame("c", remote, entry("c", 1)));
    peer.step(frame("b", VersionVector.empty()));
    Ready remoteEntry = peer.ready();
    assertThat(remoteEntry.entries()).containsExactly(entry("c", 1));
    LocalStamp stamp = peer.nextLocalStamp();
    assertThat(stamp.deps()).isEqualTo(remote);
    LogEntry preparedWithout =
        peer.appendLocal(stamp, List.of(new KeyUpdate("bucket", "key", new byte[] {7})));
    peer.advance(remoteEntry);
    for (int tick = 0; tick < 3; tick++) {
      peer.tick();
    }
    Ready localEntry = peer.ready();
    assertThat(localEntry.entries()).containsExactly(preparedWithout);
    assertThat(localEntry.frames()).anySatisfy(frame -> assertThat(frame.peer()).isEqualTo("b"));

    region.step(frame("c", remote, entry("c", 1)));
    cycle(region);
    deliver(localEntry, "b", region);
    cycle(region);
    assertThat(region.appliedVector().get("a")).isZero();
    assertThat(region.settledStableVector().get("c")).isZero();

    peer.advance(localEntry);
    Ready afterwards = peer.ready();
    peer.advance(afterwards);
    deliver(afterwards, "b", region);
    cycle(region);
    assertThat(region.appliedVector().get("a")).isEqualTo(1);
    assertThat(region.settledStableVector()).isEqualTo(remote);
  }

  /**
   * Pipelined writes: each local entry is stamped while the previous one's {@code Ready} is
   * outstanding, so each was prepared without its predecessor. Once the second is applied and the
   * third is not, the acknowledgement is held back to the third's basis (the first entry), but the
   * applied vector beside it covers the second, which was prepared without the first: a region that
   * sees the first acknowledged everywhere settles it only once it has applied the second too. An
   * acknowledgement that also stood for the applied vector (one vector in the header, entries sent
   * only up to it) would let that region settle the first without ever hearing of the second.
   */
  @Test
  void anAcknowledgementComesWithTheEntriesPreparedWithoutWhatItCovers() {
    ReplicaCore peer = core("a", 10);
    ReplicaCore region = core("b", 10);
    peer.step(frame("b", VersionVector.empty()));
    peer.appendLocal(
        peer.nextLocalStamp(), List.of(new KeyUpdate("bucket", "key", new byte[] {1})));
    Ready first = peer.ready();
    peer.appendLocal(
        peer.nextLocalStamp(), List.of(new KeyUpdate("bucket", "key", new byte[] {2})));
    peer.advance(first);
    Ready second = peer.ready();
    peer.appendLocal(
        peer.nextLocalStamp(), List.of(new KeyUpdate("bucket", "key", new byte[] {3})));
    peer.advance(second);
    assertThat(peer.appliedVector()).isEqualTo(VersionVector.of("a", 2));
    assertThat(peer.acknowledgedVector()).isEqualTo(VersionVector.of("a", 1));
    for (int tick = 0; tick < 3; tick++) {
      peer.tick();
    }
    Ready third = peer.ready();

    deliver(second, "b", region);
    deliver(third, "b", region);
    region.step(frame("c", VersionVector.of("a", 1)));
    cycle(region);
    assertThat(region.acknowledgedBy("a")).isEqualTo(VersionVector.of("a", 1));
    assertThat(region.settledStableVector().get("a") == 0 || region.appliedVector().get("a") >= 2)
        .as("settled %s while applied %s", region.settledStableVector(), region.appliedVector())
        .isTrue();

    peer.advance(third);
    assertThat(peer.acknowledgedVector()).isEqualTo(VersionVector.of("a", 3));
  }

  private static void deliver(Ready ready, String to, ReplicaCore core) {
    for (OutboundFrame frame : ready.frames()) {
      if (frame.peer().equals(to)) {
        assertThat(core.step(frame.bytes())).isEqualTo(FrameVerdict.ACCEPTED);
      }
    }
  }

  private static void assertRejected(ReplicaCore core, byte[] bytes, FrameVerdict verdict) {
    assertThat(core.step(bytes)).isEqualTo(verdict);
  }

  private static byte[] rewrite(
      byte[] bytes, Function<FrameProto.Builder, FrameProto.Builder> change) {
    try {
      return change.apply(FrameProto.parseFrom(bytes).toBuilder()).build().toByteArray();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static FrameProto parse(OutboundFrame frame) throws Exception {
    return FrameProto.parseFrom(frame.bytes());
  }

  private static VersionVector appliedIn(OutboundFrame frame) throws Exception {
    return ClocksCodec.fromProto(parse(frame).getApplied());
  }
}
