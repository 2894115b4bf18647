package io.meridian.clocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.HybridLogicalClock.ReceiveResult;
import io.meridian.clocks.HybridLogicalClock.ReceiveStatus;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The hybrid logical clock among skewed, jumping physical clocks ({@link HlcSimulation} holds the
 * checks), and examples of each deviation from the paper that {@link HybridLogicalClock} documents.
 */
class HybridLogicalClockTest {
  private static final long NOW_MILLIS = 1_700_000_000_000L;

  @Property
  void timestampsFollowTheRulesAmongSkewedNodes(@ForAll long seed) {
    HlcSimulation.Counts counts = new HlcSimulation(seed).run();
    Statistics.label("some receive too far ahead").collect(counts.tooFarAhead() > 0);
    Statistics.label("some counter carry").collect(counts.carries() > 0);
  }

  /** Guards the simulation itself: if it stopped reaching a rule, the property above would pass. */
  @Example
  void simulationReachesEveryRule() {
    HlcSimulation.Counts total = new HlcSimulation.Counts(0, 0, 0, 0, 0, 0);
    for (long seed = 0; seed < 200; seed++) {
      total = total.plus(new HlcSimulation(seed).run());
    }
    assertThat(total.accepted()).isPositive();
    assertThat(total.tooFarAhead()).isPositive();
    assertThat(total.carries()).isPositive();
    assertThat(total.backwardJumps()).isPositive();
    assertThat(total.causalChecks()).isGreaterThan(total.events());
  }

  @Property
  void packedPartsRoundTrip(
      @ForAll @LongRange(min = 0, max = HlcTimestamp.PHYSICAL_MAX) long physical,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int logical) {
    long timestamp = HlcTimestamp.pack(physical, logical);
    assertThat(HlcTimestamp.isValid(timestamp)).isTrue();
    assertThat(HlcTimestamp.physical(timestamp)).isEqualTo(physical);
    assertThat(HlcTimestamp.logical(timestamp)).isEqualTo(logical);
    assertThat(HlcTimestamp.toString(timestamp)).isEqualTo(physical + "." + logical);
    assertThat(ClocksCodec.decodeHlc(ClocksCodec.encodeHlc(timestamp))).isEqualTo(timestamp);
  }

  @Property
  void packedOrderIsPhysicalThenLogical(
      @ForAll @LongRange(min = 0, max = HlcTimestamp.PHYSICAL_MAX) long physical1,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int logical1,
      @ForAll @LongRange(min = 0, max = HlcTimestamp.PHYSICAL_MAX) long physical2,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int logical2) {
    int expected =
        physical1 != physical2
            ? Long.compare(physical1, physical2)
            : Integer.compare(logical1, logical2);
    int actual =
        Long.compare(
            HlcTimestamp.pack(physical1, logical1), HlcTimestamp.pack(physical2, logical2));
    assertThat(Integer.signum(actual)).isEqualTo(Integer.signum(expected));
  }

  @Property
  void successorIsTheNextTimestamp(
      @ForAll @LongRange(min = 0, max = HlcTimestamp.PHYSICAL_MAX - 1) long physical,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int logical) {
    long next = HlcTimestamp.successor(HlcTimestamp.pack(physical, logical));
    if (logical < HlcTimestamp.LOGICAL_MAX) {
      assertThat(next).isEqualTo(HlcTimestamp.pack(physical, logical + 1));
    } else {
      assertThat(next).isEqualTo(HlcTimestamp.pack(physical + 1, 0));
    }
  }

  @Example
  void packRejectsPartsOutOfRange() {
    assertThatThrownBy(() -> HlcTimestamp.pack(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HlcTimestamp.pack(HlcTimestamp.PHYSICAL_MAX + 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HlcTimestamp.pack(0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HlcTimestamp.pack(0, HlcTimestamp.LOGICAL_MAX + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(HlcTimestamp.isValid(-1)).isFalse();
  }

  /** The largest timestamp fills the long; its physical part is in the year 6429. */
  @Example
  void timestampSpaceEndsAtLongMax() {
    long largest = HlcTimestamp.pack(HlcTimestamp.PHYSICAL_MAX, HlcTimestamp.LOGICAL_MAX);
    assertThat(largest).isEqualTo(Long.MAX_VALUE);
    assertThat(java.time.Instant.ofEpochMilli(HlcTimestamp.PHYSICAL_MAX).toString())
        .startsWith("6429-");
    assertThatThrownBy(() -> HlcTimestamp.successor(largest))
        .isInstanceOf(ArithmeticException.class);
  }

  @Example
  void counterOverflowCarriesIntoThePhysicalPart() {
    ManualPhysicalClock physical = new ManualPhysicalClock(NOW_MILLIS);
    long floor = HlcTimestamp.pack(NOW_MILLIS, HlcTimestamp.LOGICAL_MAX - 1);
    HybridLogicalClock clock = new HybridLogicalClock(physical, 1_000, floor);

    long full = clock.now();
    long carried = clock.now();
    long after = clock.now();

    assertThat(full).isEqualTo(HlcTimestamp.pack(NOW_MILLIS, HlcTimestamp.LOGICAL_MAX));
    assertThat(carried).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 1, 0));
    assertThat(after).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 1, 1));
    // The physical clock catching up with the carried part does not repeat a timestamp.
    physical.set(NOW_MILLIS + 1);
    assertThat(clock.now()).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 1, 2));
    physical.set(NOW_MILLIS + 2);
    assertThat(clock.now()).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 2, 0));
  }

  @Example
  void receiveOfAFullCounterCarries() {
    HybridLogicalClock clock = new HybridLogicalClock(new ManualPhysicalClock(NOW_MILLIS), 1_000);
    long remote = HlcTimestamp.pack(NOW_MILLIS, HlcTimestamp.LOGICAL_MAX);

    ReceiveResult result = clock.receive(remote);

    assertThat(result.status()).isEqualTo(ReceiveStatus.ACCEPTED);
    assertThat(result.timestamp()).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 1, 0));
  }

  @Example
  void tooFarAheadDoesNotMoveTheClockToTheRemoteTime() {
    ManualPhysicalClock physical = new ManualPhysicalClock(NOW_MILLIS);
    HybridLogicalClock clock = new HybridLogicalClock(physical, 500);
    long before = clock.now();
    long remote = HlcTimestamp.pack(NOW_MILLIS + 501, 7);

    ReceiveResult result = clock.receive(remote);

    assertThat(result.status()).isEqualTo(ReceiveStatus.TOO_FAR_AHEAD);
    assertThat(result.remoteAheadMillis()).isEqualTo(501);
    assertThat(result.timestamp()).isEqualTo(HlcTimestamp.successor(before));
    assertThat(result.timestamp()).isLessThan(remote);
    assertThat(clock.current()).isEqualTo(result.timestamp());
    // Later events stay on local time too: the remote time was never adopted.
    assertThat(clock.now()).isEqualTo(HlcTimestamp.pack(NOW_MILLIS, 2));
  }

  @Example
  void remoteExactlyAtTheOffsetIsAccepted() {
    HybridLogicalClock clock = new HybridLogicalClock(new ManualPhysicalClock(NOW_MILLIS), 500);
    long remote = HlcTimestamp.pack(NOW_MILLIS + 500, 7);

    ReceiveResult result = clock.receive(remote);

    assertThat(result.status()).isEqualTo(ReceiveStatus.ACCEPTED);
    assertThat(result.remoteAheadMillis()).isEqualTo(500);
    assertThat(result.timestamp()).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 500, 8));
  }

  @Example
  void receiveFromBehindKeepsLocalTime() {
    HybridLogicalClock clock = new HybridLogicalClock(new ManualPhysicalClock(NOW_MILLIS), 500);

    ReceiveResult result = clock.receive(HlcTimestamp.pack(NOW_MILLIS - 60_000, 3));

    assertThat(result.status()).isEqualTo(ReceiveStatus.ACCEPTED);
    assertThat(result.remoteAheadMillis()).isEqualTo(-60_000);
    assertThat(result.timestamp()).isEqualTo(HlcTimestamp.pack(NOW_MILLIS, 0));
  }

  @Example
  void backwardPhysicalClockKeepsMonotonicity() {
    ManualPhysicalClock physical = new ManualPhysicalClock(NOW_MILLIS);
    HybridLogicalClock clock = new HybridLogicalClock(physical, 1_000);
    long first = clock.now();

    physical.set(NOW_MILLIS - 10 * 60 * 1000);
    long second = clock.now();
    long third = clock.now();
    physical.set(NOW_MILLIS + 1);
    long fourth = clock.now();

    assertThat(first).isEqualTo(HlcTimestamp.pack(NOW_MILLIS, 0));
    assertThat(second).isEqualTo(HlcTimestamp.pack(NOW_MILLIS, 1));
    assertThat(third).isEqualTo(HlcTimestamp.pack(NOW_MILLIS, 2));
    assertThat(fourth).isEqualTo(HlcTimestamp.pack(NOW_MILLIS + 1, 0));
  }

  @Example
  void negativePhysicalReadingCountsAsZero() {
    HybridLogicalClock clock = new HybridLogicalClock(new ManualPhysicalClock(-5), 0);
    assertThat(clock.now()).isEqualTo(HlcTimestamp.pack(0, 1));
  }

  @Example
  void restartFloorIsRespected() {
    long floor = HlcTimestamp.pack(NOW_MILLIS + 3_000, 4);
    HybridLogicalClock clock =
        new HybridLogicalClock(new ManualPhysicalClock(NOW_MILLIS), 0, floor);
    assertThat(clock.current()).isEqualTo(floor);
    assertThat(clock.now()).isEqualTo(HlcTimestamp.successor(floor));
  }

  @Example
  void invalidArgumentsAreRejectedWithoutChangingTheClock() {
    ManualPhysicalClock physical = new ManualPhysicalClock(NOW_MILLIS);
    assertThatThrownBy(() -> new HybridLogicalClock(physical, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HybridLogicalClock(physical, 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
    HybridLogicalClock clock = new HybridLogicalClock(physical, 7);
    assertThat(clock.maxOffsetMillis()).isEqualTo(7);
    long before = clock.now();
    assertThatThrownBy(() -> clock.receive(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(clock.current()).isEqualTo(before);
  }

  @Example
  void exhaustedClockThrowsWithoutChangingState() {
    ManualPhysicalClock physical = new ManualPhysicalClock(HlcTimestamp.PHYSICAL_MAX);
    HybridLogicalClock clock = new HybridLogicalClock(physical, 0, Long.MAX_VALUE);
    assertThatThrownBy(clock::now).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> clock.receive(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    assertThat(clock.current()).isEqualTo(Long.MAX_VALUE);
  }
}
