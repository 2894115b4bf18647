package io.meridian.clocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The Lamport clock: ticks, receives, and Lamport's clock condition among a few nodes. */
class LamportClockTest {

  @Property
  void tickCountsUpByOne(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE - 1) long start) {
    LamportClock clock = new LamportClock(start);
    assertThat(clock.current()).isEqualTo(start);
    assertThat(clock.tick()).isEqualTo(start + 1);
    assertThat(clock.current()).isEqualTo(start + 1);
  }

  @Property
  void receiveJumpsPastLocalAndRemote(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long start,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long remote) {
    LamportClock clock = new LamportClock(start);
    long time = clock.receive(remote);
    assertThat(time).isEqualTo(Math.max(start, remote) + 1);
    assertThat(clock.current()).isEqualTo(time);
  }

  /**
   * Lamport (1978): if a happened before b then C(a) is less than C(b). A seeded run of 3 nodes
   * exchanging messages in random order, checked with a vector clock kept beside each event.
   */
  @Property
  void happenedBeforeImpliesSmallerTime(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int nodeCount = 3;
    LamportClock[] clocks = new LamportClock[nodeCount];
    List<List<Long>> times = new ArrayList<>();
    int[][] past = new int[nodeCount][nodeCount];
    for (int i = 0; i < nodeCount; i++) {
      clocks[i] = new LamportClock(random.nextInt(5));
      times.add(new ArrayList<>());
      java.util.Arrays.fill(past[i], -1);
    }
    record Message(int to, long time, int[] past) {}
    List<Message> inFlight = new ArrayList<>();
    for (int step = 0; step < 100; step++) {
      int node = random.nextInt(nodeCount);
      long time;
      if (random.nextBoolean() || inFlight.isEmpty()) {
        time = clocks[node].tick();
      } else {
        Message message = inFlight.remove(random.nextInt(inFlight.size()));
        node = message.to;
        time = clocks[node].receive(message.time);
        for (int i = 0; i < nodeCount; i++) {
          past[node][i] = Math.max(past[node][i], message.past[i]);
        }
      }
      for (int other = 0; other < nodeCount; other++) {
        int index = past[node][other];
        if (index >= 0) {
          assertThat(times.get(other).get(index))
              .as("seed %d step %d: node %d event before %d", seed, step, other, time)
              .isLessThan(time);
        }
      }
      past[node][node] = times.get(node).size();
      times.get(node).add(time);
      if (random.nextBoolean()) {
        inFlight.add(new Message(random.nextInt(nodeCount), time, past[node].clone()));
      }
    }
  }

  @Example
  void startsAtZero() {
    LamportClock clock = new LamportClock();
    assertThat(clock.current()).isZero();
    assertThat(clock.tick()).isEqualTo(1);
    assertThat(clock.receive(0)).isEqualTo(2);
  }

  @Example
  void badInputIsRejectedWithoutChangingTheClock() {
    assertThatThrownBy(() -> new LamportClock(-1)).isInstanceOf(IllegalArgumentException.class);
    LamportClock clock = new LamportClock(5);
    assertThatThrownBy(() -> clock.receive(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(clock.current()).isEqualTo(5);
    // A remote time with no successor cannot be passed; the local clock must stay usable.
    assertThatThrownBy(() -> clock.receive(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    assertThat(clock.current()).isEqualTo(5);
    assertThat(clock.tick()).isEqualTo(6);
  }

  @Example
  void exhaustedClockThrows() {
    LamportClock clock = new LamportClock(Long.MAX_VALUE);
    assertThatThrownBy(clock::tick).isInstanceOf(ArithmeticException.class);
    assertThat(clock.current()).isEqualTo(Long.MAX_VALUE);
  }
}
