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
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Counter fields of an or-map across a collection: one region folds everything (removed fields are
 * collected) and keeps folding now and then, a second folds one step behind it, a third does not
 * fold again; all go on applying the same increments and removes, each remove prepared at any of
 * them with the context of a read made at any, before or after any of the folds. All must show the
 * same value after every entry and be equal once they fold everything. This is the case a bounded
 * nested counter must survive (see the module README, "Not done yet"): a remove whose client read
 * at a region that had not folded, prepared where increments it names were consolidated or the
 * field collected. A nested counter that consolidates like a top-level one fails it.
 */
class OrMapCounterFieldCollectionTest {
  private static final List<String> FIELDS = List.of("x", "y");
  private static final long[] AMOUNTS = {-2, -1, 1, 2, 3};
  private static final int FIRST_STEPS = 40;
  private static final int LATER_ENTRIES = 24;

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

  /** T for these runs: 40 HLC units, against clocks that step 1 to 30 per entry. */
  static final long EXPIRY_HLC = 40;

  private long expiryBefore;

  @BeforeProperty
  @BeforeEach
  void configureContextExpiry() {
    expiryBefore = CrdtRegistry.configureContextExpiryHlc(EXPIRY_HLC);
  }

  @AfterProperty
  @AfterEach
  void restoreContextExpiry() {
    CrdtRegistry.configureContextExpiryHlc(expiryBefore);
  }

  /** What one story did, so a run over many seeds can show it reached the paths that matter. */
  static final class Reached {
    int summedEntries;
    int refusedRemoves;
    int sumsTakenByARemove;
    int removesWithAnOlderRead;
  }

  @Property
  void regionsThatFoldAtDifferentTimesTakeTheSameWithAnyEarlierRead(@ForAll long seed) {
    story(seed, new Reached());
  }

  /**
   * Over 200 seeds the stories sum increments, refuse removes whose read is older than T, and
   * accept removes that take a sum whole where the increments were summed: the paths the property
   * is about.
   */
  @Test
  void theStoriesReachSumsRefusalsAndRemovesThatTakeASum() {
    Reached reached = new Reached();
    for (long seed = 0; seed < 200; seed++) {
      story(seed, reached);
    }
    System.out.printf(
        "200 collection stories: %d summed entries made, %d removes refused (context_expired),"
            + " %d accepted with an older read, %d sums taken by a remove%n",
        reached.summedEntries,
        reached.refusedRemoves,
        reached.removesWithAnOlderRead,
        reached.sumsTakenByARemove);
    assertThat(reached.summedEntries).isPositive();
    assertThat(reached.refusedRemoves).isPositive();
    assertThat(reached.removesWithAnOlderRead).isPositive();
    assertThat(reached.sumsTakenByARemove).isPositive();
  }

  private void story(long seed, Reached reached) {
    Simulation simulation = new Simulation(type, seed);
    simulation.causalClocks = true;
    simulation.run(requests(), FIRST_STEPS, true);
    simulation.deliverAll();
    String why = simulation.reproduction() + ", then the collection story";
    VersionVector everything = simulation.fullVector();
    // Region 0 folds now and at random later points, region 1 one fold behind it (with the vector
    // region 0 used the time before), region 2 not again.
    CrdtState[] regions = {
      type.fold(simulation.states[0], everything), simulation.states[1], simulation.states[2]
    };
    reached.summedEntries += summed(regions[0]);
    VersionVector lastFold = everything;
    List<CausalContext> reads = new ArrayList<>();
    for (CrdtState region : regions) {
      reads.add(type.observedContext(region));
    }
    Random random = new Random(seed);
    VersionVector applied = everything;
    long clock = simulation.log.stream().mapToLong(Simulation.Entry::hlc).max().orElse(0);
    for (int entry = 0; entry < LATER_ENTRIES; entry++) {
      String origin = Simulation.REPLICAS.get(random.nextInt(Simulation.REPLICAS.size()));
      Dot dot = new Dot(origin, applied.get(origin) + 1);
      boolean removes = random.nextInt(3) == 0;
      ObjectNode request = removes ? remove(random) : increment(random);
      // Every region applies each entry at once, so one clock serves them all.
      long hlc = clock + 1 + random.nextInt(30);
      UpdateContext context = UpdateContext.of(dot, hlc);
      int readIndex = -1;
      if (removes && random.nextInt(4) != 0) {
        readIndex = random.nextInt(reads.size());
        context = context.withObserved(reads.get(readIndex));
      }
      CrdtState preparedOn = regions[random.nextInt(regions.length)];
      Effect effect;
      try {
        effect = type.prepare(preparedOn, CrdtRegistry.parseUpdate(request), context).orElseThrow();
      } catch (CrdtRequestException refused) {
        assertThat(refused.code()).as(why).isEqualTo(ErrorCode.CONTEXT_EXPIRED);
        reached.refusedRemoves++;
        continue;
      }
      clock = hlc;
      if (readIndex >= 0 && readIndex < reads.size() - regions.length) {
        reached.removesWithAnOlderRead++;
      }
      int summedBefore = summed(regions[0]);
      for (int region = 0; region < regions.length; region++) {
        regions[region] = type.apply(regions[region], effect, dot);
      }
      if (removes && summed(regions[0]) < summedBefore) {
        reached.sumsTakenByARemove++;
      }
      applied = applied.with(origin, dot.counter());
      for (int region = 1; region < regions.length; region++) {
        assertThat(type.value(regions[region]))
            .as(why + ", entry " + entry + ", region " + region)
            .isEqualTo(type.value(regions[0]));
      }
      if (random.nextInt(3) == 0) {
        int before = summed(regions[0]);
        regions[0] = type.fold(regions[0], applied);
        regions[1] = type.fold(regions[1], lastFold);
        lastFold = applied;
        reached.summedEntries += Math.max(0, summed(regions[0]) - before);
      }
      for (CrdtState region : regions) {
        reads.add(type.observedContext(region));
      }
    }
    CrdtState expected = type.fold(regions[2], applied);
    assertThat(type.fold(regions[0], applied)).as(why).isEqualTo(expected);
    assertThat(type.fold(regions[1], applied)).as(why).isEqualTo(expected);
  }

  /** The summed (consolidated) entries of the map's counter fields. */
  private static int summed(CrdtState state) {
    int summed = 0;
    for (CrdtState nested : ((OrMap) state).fields().values()) {
      if (nested instanceof Counter counter) {
        for (Counter.Entry entry : counter.store().entries().values()) {
          summed += entry.consolidated() ? 1 : 0;
        }
      }
    }
    return summed;
  }
}
