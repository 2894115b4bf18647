package io.meridian.replication;

import static io.meridian.replication.TestFrames.EMPTY_APPLICATION;
import static io.meridian.replication.TestFrames.REGIONS;
import static io.meridian.replication.TestFrames.cycle;
import static io.meridian.replication.TestFrames.entry;
import static io.meridian.replication.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a region sends each peer, entry by entry: log order across origins, the relay rule for
 * another origin's entries, resending from the peer's acknowledged position, and the position after
 * trimming. The log is indexed per origin, so these pin down that the search for the next entry
 * starts at the right place.
 */
class ReplicaCoreSendingTest {
  private static final int RELAY_DELAY_TICKS = 3;
  private static final int RESEND_INTERVAL_TICKS = 10;

  private final ReplicaCore core =
      new ReplicaCore(
          ReplicationConfig.builder("b", REGIONS)
              .batchWindowTicks(0)
              .heartbeatIntervalTicks(1_000)
              .relayDelayTicks(RELAY_DELAY_TICKS)
              .resendIntervalTicks(RESEND_INTERVAL_TICKS)
              .build(),
          new ManualPhysicalClock(1_700_000_000_000L),
          EMPTY_APPLICATION);

  @Test
  void peersGetEntriesInLogOrderFromTheirPositionAndOthersEntriesOnlyOnceTheyStall() {
    core.step(frame("a", VersionVector.empty()));
    core.step(frame("c", VersionVector.empty()));
    core.step(frame("a", VersionVector.of("a", 2), entry("a", 1), entry("a", 2)));
    cycle(core);
    appendLocal();
    appendLocal();
    Ready ready = cycle(core);
    // a1 and a2 are in the log, b1 and b2 not yet: nothing to send but what is on disk.
    assertThat(entriesTo(ready, "a")).isEmpty();
    assertThat(entriesTo(ready, "c")).isEmpty();

    core.step(frame("a", VersionVector.of("a", 3), entry("a", 3)));
    ready = cycle(core);
    // The peer a gets this region's own entries; c gets them too, but a's entries wait, as c may
    // still get them from a itself.
    assertThat(entriesTo(ready, "a")).containsExactly("b:1", "b:2");
    assertThat(entriesTo(ready, "c")).containsExactly("b:1", "b:2");

    tick(RELAY_DELAY_TICKS);
    ready = cycle(core);
    // c made no progress on a for the relay delay: a's entries go, in log order, and only to c.
    assertThat(entriesTo(ready, "a")).isEmpty();
    assertThat(entriesTo(ready, "c")).containsExactly("a:1", "a:2", "a:3");

    core.step(frame("c", VersionVector.of("a", 1).with("b", 1)));
    appendLocal();
    ready = cycle(core);
    assertThat(entriesTo(ready, "c")).isEmpty();
    ready = cycle(core);
    assertThat(entriesTo(ready, "a")).containsExactly("b:3");
    assertThat(entriesTo(ready, "c")).containsExactly("b:3");

    tick(RESEND_INTERVAL_TICKS);
    ready = cycle(core);
    // No progress from c for the resend interval: everything beyond what c acknowledged again,
    // interleaved across origins as the entries entered the log.
    // a1 left the log meanwhile (every region has it), and the search for c starts past it.
    assertThat(core.trimmedVector()).isEqualTo(VersionVector.of("a", 1));
    assertThat(entriesTo(ready, "c")).containsExactly("a:2", "b:2", "a:3", "b:3");
    // a acknowledged none of this region's entries: all of them again, none of its own.
    assertThat(entriesTo(ready, "a")).containsExactly("b:1", "b:2", "b:3");
  }

  @Test
  void afterTrimmingThePositionIsWhereTheLogNowStarts() {
    core.step(frame("a", VersionVector.empty()));
    core.step(frame("c", VersionVector.empty()));
    for (int i = 0; i < 5; i++) {
      appendLocal();
    }
    cycle(core);
    Ready ready = cycle(core);
    assertThat(entriesTo(ready, "a")).containsExactly("b:1", "b:2", "b:3", "b:4", "b:5");
    VersionVector upToFour = VersionVector.of("b", 4);
    core.step(frame("a", upToFour));
    core.step(frame("c", upToFour));
    cycle(core);
    assertThat(core.trimmedVector()).isEqualTo(upToFour);
    assertThat(core.metrics().logEntries()).isEqualTo(1);

    appendLocal();
    cycle(core);
    ready = cycle(core);
    assertThat(entriesTo(ready, "a")).containsExactly("b:6");

    tick(RESEND_INTERVAL_TICKS);
    ready = cycle(core);
    assertThat(entriesTo(ready, "a")).containsExactly("b:5", "b:6");
    assertThat(entriesTo(ready, "c")).containsExactly("b:5", "b:6");
  }

  private void appendLocal() {
    LocalStamp stamp = core.nextLocalStamp();
    core.appendLocal(
        stamp,
        List.of(new KeyUpdate("bucket", "k" + stamp.seq(), new byte[] {(byte) stamp.seq()})));
  }

  private void tick(int ticks) {
    for (int i = 0; i < ticks; i++) {
      core.tick();
    }
  }

  /** The entries of the ready's frames to {@code peer}, as "origin:seq", in order. */
  private static List<String> entriesTo(Ready ready, String peer) {
    List<String> dots = new ArrayList<>();
    for (OutboundFrame outbound : ready.frames()) {
      if (outbound.peer().equals(peer)) {
        try {
          for (LogEntry entry : FrameCodec.decode(outbound.bytes(), 1 << 20).entries()) {
            dots.add(entry.dot().toString());
          }
        } catch (RejectedFrameException e) {
          throw new AssertionError("the core wrote a frame it cannot read", e);
        }
      }
    }
    return dots;
  }
}
