package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The counter's apply inserts an increment's entry into the state and carries its value over
 * instead of joining a delta and summing the entries again. Its result must be the join's, to the
 * byte, and its value the sum of the entries, for any increment and any state: increments at three
 * origins in any order (so an op id's copy with a smaller entry dot may come after the one that
 * counted), several tags of one entry, op ids from a small pool, tags already seen, folds, states
 * decoded or joined (whose values are computed afresh).
 */
class CounterApplyTest {
  private static final String[] ORIGINS = {"america", "asia", "europe"};

  @Property(tries = 300)
  void applyEqualsTheJoinOfTheDelta(@ForAll long seed) {
    Random random = new Random(seed);
    String typeName = random.nextBoolean() ? Counter.PN_COUNTER : Counter.G_COUNTER;
    Counter.Type type = (Counter.Type) CrdtRegistry.type(typeName);
    Counter state = (Counter) type.empty();
    Counter other = (Counter) type.empty();
    for (int step = 0; step < 200; step++) {
      int draw = random.nextInt(40);
      if (draw == 0) {
        state = (Counter) type.fold(state, stable(random));
      } else if (draw == 1) {
        state = (Counter) CrdtRegistry.decodeState(CrdtRegistry.encodeState(state));
      } else if (draw == 2) {
        state = (Counter) type.join(state, other);
      } else {
        Dot entryDot = new Dot(ORIGINS[random.nextInt(3)], 1 + random.nextInt(30));
        long amount = random.nextInt(7) - (typeName.equals(Counter.G_COUNTER) ? 0 : 3);
        String id = random.nextInt(3) == 0 ? "op-" + random.nextInt(4) : null;
        Counter.Increment effect = new Counter.Increment(typeName, amount, random.nextInt(3), id);
        Counter fast = type.applyTyped(state, effect, entryDot);
        Counter general = type.applyByJoin(state, effect, entryDot);
        String where = "seed " + seed + ", step " + step + ", " + effect + " at " + entryDot;
        assertThat(fast).as(where).isEqualTo(general);
        assertThat(CrdtRegistry.encodeState(fast))
            .as(where)
            .isEqualTo(CrdtRegistry.encodeState(general));
        assertThat(fast.value()).as(where).isEqualTo(Counter.sum(general.store()));
        assertThat(type.value(fast)).as(where).isEqualTo(type.value(general));
        state = random.nextInt(10) == 0 ? general : fast;
        if (random.nextInt(4) == 0) {
          other = type.applyTyped(other, effect, entryDot);
        }
      }
    }
  }

  private static VersionVector stable(Random random) {
    VersionVector vector = VersionVector.empty();
    for (String origin : Arrays.asList(ORIGINS)) {
      vector = vector.with(origin, random.nextInt(20));
    }
    return vector;
  }
}
