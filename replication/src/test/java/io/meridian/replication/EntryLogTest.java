package io.meridian.replication;

import static io.meridian.replication.TestFrames.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.EntryLog.LogSlot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log ring: per origin exactly {@code trimmed + 1 .. applied}, whatever made entries leave. */
class EntryLogTest {
  private static final int UNBOUNDED = 1_000;

  private final EntryLog log = new EntryLog();

  @Test
  void entriesAreFoundBySeqAndKeepTheOrderTheyEnteredIn() {
    appendAll("a", 1, 3);
    appendAll("b", 1, 2);
    VersionVector applied = VersionVector.of("a", 3).with("b", 2);
    log.checkHolds(applied);
    assertThat(log.size()).isEqualTo(5);
    assertThat(log.get("a", 2).entry).isEqualTo(entry("a", 2));
    assertThat(log.get("a", 4)).isNull();
    assertThat(log.get("c", 1)).isNull();
    assertThat(log.get("b", 1).position).isGreaterThan(log.get("a", 3).position);
  }

  @Test
  void aRestartReplaysTheRecordsAfterTheCheckpointOnceInCausalOrder() {
    LogEntry dependent = entry("b", 1, VersionVector.of("a", 2), "x");
    List<LogEntry> records =
        List.of(entry("a", 1), entry("a", 2), entry("a", 2), dependent, entry("a", 3));
    assertThat(EntryLog.entriesAfter(VersionVector.of("a", 1), records))
        .containsExactly(entry("a", 2), dependent, entry("a", 3));
  }

  @Test
  void aRestartRefusesRecordsThatContradictEachOtherOrTheCheckpoint() {
    LogEntry other = entry("a", 1, VersionVector.empty(), "another key");
    assertThatThrownBy(
            () -> EntryLog.entriesAfter(VersionVector.empty(), List.of(entry("a", 1), other)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("two different log records");
    assertThatThrownBy(() -> EntryLog.entriesAfter(VersionVector.empty(), List.of(entry("a", 2))))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("out of causal order");
    LogEntry early = entry("b", 1, VersionVector.of("a", 1), "x");
    assertThatThrownBy(
            () -> EntryLog.entriesAfter(VersionVector.empty(), List.of(early, entry("a", 1))))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void stableEntriesLeaveAndTheBoundForcesOutMoreCounted() {
    appendAll("a", 1, 40);
    VersionVector applied = VersionVector.of("a", 40);
    log.trim(applied, VersionVector.of("a", 5), UNBOUNDED);
    assertThat(log.trimmed()).isEqualTo(VersionVector.of("a", 5));
    assertThat(log.forcedTrimEntries()).isZero();
    log.checkHolds(applied);

    log.trim(applied, VersionVector.of("a", 5), 30);
    assertThat(log.trimmed()).isEqualTo(VersionVector.of("a", 10));
    assertThat(log.forcedTrimEntries()).isEqualTo(5);
    assertThat(log.get("a", 10)).isNull();
    assertThat(log.get("a", 11).entry).isEqualTo(entry("a", 11));
    log.checkHolds(applied);
  }

  @Test
  void aStateTransferGapDropsWhatPrecedesIt() {
    appendAll("a", 1, 3);
    appendAll("b", 1, 1);
    VersionVector before = VersionVector.of("a", 3).with("b", 1);
    VersionVector after = VersionVector.of("a", 7).with("b", 1).with("c", 2);
    log.skipGaps(before, after);
    assertThat(log.trimmed()).isEqualTo(VersionVector.of("a", 7).with("c", 2));
    assertThat(log.get("a", 3)).isNull();
    assertThat(log.get("b", 1).entry).isEqualTo(entry("b", 1));
    log.checkHolds(after);
  }

  @Test
  void aRebuiltLogKeepsTheRunOfRecordsThatEndsAtTheAppliedSeq() {
    List<LogEntry> records =
        List.of(entry("a", 1), entry("a", 3), entry("a", 4), entry("a", 3), entry("b", 1));
    VersionVector applied = VersionVector.of("a", 4).with("b", 1).with("c", 5);
    log.rebuild(records, applied);
    assertThat(log.trimmed()).isEqualTo(VersionVector.of("a", 2).with("c", 5));
    assertThat(log.size()).isEqualTo(3);
    LogSlot restored = log.get("a", 3);
    assertThat(restored.loggedTick).isEqualTo(LogSlot.NOT_RELAYED);
    log.checkHolds(applied);
  }

  @Test
  void aLogThatDoesNotMatchTheVectorsFailsFast() {
    appendAll("a", 1, 3);
    assertThatThrownBy(() -> log.checkHolds(VersionVector.of("a", 4)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trimmed {}")
        .hasMessageContaining("applied {a=4}");
    assertThatThrownBy(() -> log.checkHolds(VersionVector.of("a", 3).with("b", 1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void onlyTheHeadOfALogLeavesAndALogNeverGetsAGap() {
    appendAll("a", 1, 2);
    assertThatThrownBy(() -> log.append(entry("a", 4), 0, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gap");
  }

  private void appendAll(String origin, long fromSeq, long toSeq) {
    for (long seq = fromSeq; seq <= toSeq; seq++) {
      log.append(entry(origin, seq), 0, null);
    }
  }
}
