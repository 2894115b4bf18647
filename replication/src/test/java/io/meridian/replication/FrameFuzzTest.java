package io.meridian.replication;

import static io.meridian.replication.TestFrames.core;
import static io.meridian.replication.TestFrames.cycle;
import static io.meridian.replication.TestFrames.entry;
import static io.meridian.replication.TestFrames.frame;
import static io.meridian.replication.TestFrames.observable;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.VersionVector;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the frame decoder and validator: random bytes, and valid frames with bytes flipped,
 * inserted or cut off. A frame is either accepted or rejected with nothing observable changed, and
 * no other exception escapes.
 */
class FrameFuzzTest {
  private static final VersionVector A3 = VersionVector.of("a", 3).with("c", 1);

  private static byte[] validFrame() {
    return frame(
        "a",
        A3,
        VersionVector.of("a", 1),
        VersionVector.empty(),
        entry("a", 2),
        entry("a", 3, VersionVector.of("c", 1), "z"));
  }

  private static ReplicaCore primedCore() {
    ReplicaCore core = core("b", 4);
    core.step(frame("a", VersionVector.of("a", 1), entry("a", 1)));
    cycle(core);
    return core;
  }

  @Property
  void randomBytesAreRejectedWithoutChange(@ForAll @Size(max = 300) byte[] bytes) {
    checkUntouchedUnlessAccepted(bytes);
  }

  @Property
  void mutatedFramesAreRejectedWithoutChange(
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 2) int kind) {
    byte[] valid = validFrame();
    int at = position % valid.length;
    byte[] mutated =
        switch (kind) {
          case 0 -> {
            byte[] copy = valid.clone();
            copy[at] ^= (byte) (value == 0 ? 1 : value);
            yield copy;
          }
          case 1 -> Arrays.copyOf(valid, at);
          default -> {
            byte[] copy = new byte[valid.length + 1];
            System.arraycopy(valid, 0, copy, 0, at);
            copy[at] = value;
            System.arraycopy(valid, at, copy, at + 1, valid.length - at);
            yield copy;
          }
        };
    checkUntouchedUnlessAccepted(mutated);
  }

  private static void checkUntouchedUnlessAccepted(byte[] bytes) {
    ReplicaCore core = primedCore();
    String before = observable(core);
    long rejectedBefore = core.metrics().rejectedFramesTotal();
    FrameVerdict verdict = core.step(bytes);
    if (verdict != FrameVerdict.ACCEPTED) {
      assertThat(observable(core)).isEqualTo(before);
      assertThat(core.metrics().rejectedFramesTotal()).isEqualTo(rejectedBefore + 1);
    }
    // Whatever came in, the core still works.
    cycle(core);
    assertThat(core.step(validFrame()))
        .isIn(FrameVerdict.ACCEPTED, FrameVerdict.INVARIANT_VIOLATION);
  }
}
