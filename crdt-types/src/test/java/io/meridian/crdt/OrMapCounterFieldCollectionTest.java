package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Counter fields of an or-map across a collection: one region folds everything (removed fields are
 * collected) and keeps folding, another never folds; both go on applying the same increments and
 * removes, each remove prepared at either region with the context of a read made at either, before
 * or after any of the folds. Both must show the same value after every entry and be equal once both
 * fold everything. This is the case a bounded nested counter must survive (see the module README,
 * "Not done yet"): a remove whose client read at a region that had not folded, prepared where
 * increments it names were consolidated or the field collected. A nested counter that consolidates
 * like a top-level one fails it.
 */
class OrMapCounterFieldCollectionTest {
  private static final List<String> FIELDS = List.of("x", "y");
  private static final long[] AMOUNTS = {-2, -1, 1, 2, 3};
  private static final int FIRST_STEPS = 40;
  private static final int LATER_ENTRIES = 16;

  private final CrdtType type = CrdtRegistry.type(OrMap.NAME);

  private static ObjectNode increment(Random random) {
    ObjectNode update = Requests.request(OrMap.NAME, "update");
    update
        .putObject("entries")
        .set(
            FIELDS.get(random.nextInt(FIELDS.size())),
            Requests.request(Counter.PN_COUNTER, "increment")
                .put("by", AMOUNTS[random.nextInt(AMOUNTS.length)]));
    return update;
  }

  private static ObjectNode remove(Random random) {
    ObjectNode remove = Requests.request(OrMap.NAME, "remove");
    remove.putArray("fields").add(FIELDS.get(random.nextInt(FIELDS.size())));
    return remove;
  }

  private static Simulation.RequestGenerator requests() {
    return (random, state) ->
        random.nextInt(3) == 0
            ? new Simulation.Request(remove(random), null, true)
            : new Simulation.Request(increment(random), null);
  }

  @Property
  void aRegionThatCollectedAndFoldsAndOneThatNeverFoldsTakeTheSameWithAnyEarlierRead(
      @ForAll long seed) {
    Simulation simulation = new Simulation(type, seed).run(requests(), FIRST_STEPS, true);
    simulation.deliverAll();
    String why = simulation.reproduction() + ", then the collection story";
    VersionVector everything = simulation.fullVector();
    CrdtState folding = type.fold(simulation.states[0], everything);
    CrdtState unfolded = simulation.states[1];
    List<CausalContext> reads = new ArrayList<>();
    reads.add(type.observedContext(folding));
    reads.add(type.observedContext(unfolded));
    Random random = new Random(seed);
    VersionVector applied = everything;
    for (int entry = 0; entry < LATER_ENTRIES; entry++) {
      String region = random.nextBoolean() ? "a" : "b";
      Dot dot = new Dot(region, applied.get(region) + 1);
      boolean removes = random.nextInt(3) == 0;
      ObjectNode request = removes ? remove(random) : increment(random);
      UpdateContext context = UpdateContext.of(dot, 0);
      if (removes && random.nextBoolean()) {
        context = context.withObserved(reads.get(random.nextInt(reads.size())));
      }
      CrdtState preparedOn = random.nextBoolean() ? folding : unfolded;
      Effect effect =
          type.prepare(preparedOn, CrdtRegistry.parseUpdate(request), context).orElseThrow();
      folding = type.apply(folding, effect, dot);
      unfolded = type.apply(unfolded, effect, dot);
      applied = applied.with(region, dot.counter());
      assertThat(type.value(folding)).as(why + ", entry " + entry).isEqualTo(type.value(unfolded));
      if (random.nextInt(3) == 0) {
        folding = type.fold(folding, applied);
      }
      reads.add(type.observedContext(folding));
      reads.add(type.observedContext(unfolded));
    }
    assertThat(type.fold(folding, applied)).as(why).isEqualTo(type.fold(unfolded, applied));
  }
}
