package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * or-map with an lww-register field and a pn-counter field, whose removes often carry the context
 * of an earlier read made at any replica (as a client that moved between regions sends), so a
 * remove may be older than a fold where it is applied. Specification: a remove takes an update iff
 * its client had seen it (the update is in the causal past of both the read and the remove); a
 * field is shown iff some update of it was not taken; the counter shows the sum of those updates,
 * and the register the highest (timestamp, origin, tag) of those assignments no later assignment
 * overwrote. The fold law (regions folding at different times converge) is what caught the
 * replication simulator's seed 146581 here: a fold that dropped a stable losing assignment which a
 * later remove, not having seen it, had to leave.
 */
class OrMapRegisterFieldLawsTest extends OrMapFieldLaws {
  /**
   * T of 100 HLC units: the counter field sums what is older, removes with older reads are refused.
   */
  @Override
  long contextExpiryHlc() {
    return 100;
  }

  private static final String REGISTER = "name";
  private static final String COUNTER = "x";

  /** Draws of the generator to find a remove; one in three requests is one. */
  private static final int REMOVE_DRAWS_MAX = 30;

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      if (random.nextInt(3) == 0) {
        return removeWithEarlierRead(random.nextBoolean() ? REGISTER : COUNTER);
      }
      ObjectNode update = Requests.request(OrMap.NAME, "update");
      ObjectNode entries = update.putObject("entries");
      int which = random.nextInt(3);
      if (which != 1) {
        entries.set(
            REGISTER,
            Requests.request(LwwRegister.NAME, "assign").set("value", Requests.someValue(random)));
      }
      if (which != 0) {
        entries.set(
            COUNTER,
            Requests.request(Counter.PN_COUNTER, "increment").put("by", 1 + random.nextInt(3)));
      }
      return new Simulation.Request(update, null);
    };
  }

  /**
   * Once everything is delivered, one replica folds it all and another does not; a remove made with
   * the context of an earlier read (any of them) must then leave both with the same value, and
   * equal states once they fold it too. A stable entry the client never saw must survive the fold
   * at the one as it survives at the other.
   */
  @Property
  void aRemoveWithAContextReadBeforeAFoldTakesTheSameWhereItFoldedAndWhereNot(@ForAll long seed) {
    Simulation simulation = run(seed, true);
    simulation.deliverAll();
    CrdtType type = type();
    String why = simulation.reproduction() + ", then a remove with an earlier read's context";
    VersionVector everything = simulation.fullVector();
    CrdtState folded = type.fold(simulation.states[0], everything);
    CrdtState unfolded = simulation.states[1];
    Optional<Simulation.Request> remove =
        simulation.nextWithEarlierRead(requests(), 1, REMOVE_DRAWS_MAX);
    if (simulation.log.isEmpty() || remove.isEmpty()) {
      return;
    }
    Simulation.Read read = simulation.earlierRead();
    Dot dot = new Dot("b", everything.get("b") + 1);
    // An HLC above every entry's, as the region that stamps the remove has applied them all.
    long hlc = simulation.log.stream().mapToLong(Simulation.Entry::hlc).max().orElse(0) + 1;
    Effect effect;
    try {
      effect =
          type.prepare(
                  unfolded,
                  CrdtRegistry.parseUpdate(remove.get().body()),
                  new UpdateContext(dot, hlc, null, read.context()))
              .orElseThrow();
    } catch (CrdtRequestException refused) {
      // The read missed an update older than T: refused, nothing applied anywhere.
      assertThat(refused.code()).as(why).isEqualTo(ErrorCode.CONTEXT_EXPIRED);
      return;
    }
    CrdtState foldedAfter = type.apply(folded, effect, dot);
    CrdtState unfoldedAfter = type.apply(unfolded, effect, dot);
    assertThat(type.value(foldedAfter)).as(why).isEqualTo(type.value(unfoldedAfter));
    VersionVector andTheRemove = everything.with("b", dot.counter());
    assertThat(type.fold(foldedAfter, andTheRemove))
        .as(why)
        .isEqualTo(type.fold(unfoldedAfter, andTheRemove));
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    ObjectNode value = CanonicalJson.NODES.objectNode();
    List<Simulation.Entry> counted = kept(history, COUNTER);
    if (!counted.isEmpty()) {
      long sum = 0;
      for (Simulation.Entry entry : counted) {
        sum += ((Operation.Increment) updateOf(entry).entries().get(COUNTER)).amount();
      }
      value.put(COUNTER, sum);
    }
    List<Simulation.Entry> assigned = kept(history, REGISTER);
    if (!assigned.isEmpty()) {
      value.set(
          REGISTER,
          assigned.stream()
              .filter(
                  entry ->
                      history.stream()
                          .noneMatch(
                              later ->
                                  Requests.updatesField(later, REGISTER)
                                      && Requests.before(entry, later)))
              .map(OrMapRegisterFieldLawsTest::assignment)
              .max(
                  Comparator.<Map.Entry<Dot, LwwRegister.Stamped>>comparingLong(
                          entry -> entry.getValue().timestamp())
                      .thenComparing(entry -> entry.getKey().replica())
                      .thenComparingLong(entry -> entry.getKey().counter()))
              .map(entry -> CanonicalJson.parse(entry.getValue().value()))
              .orElseThrow());
    }
    return value;
  }

  /** The updates of {@code field} that no remove of it whose client had seen them took away. */
  private static List<Simulation.Entry> kept(List<Simulation.Entry> history, String field) {
    List<Simulation.Entry> kept = new ArrayList<>();
    for (Simulation.Entry entry : history) {
      if (Requests.updatesField(entry, field)
          && history.stream()
              .noneMatch(
                  remove -> Requests.removesField(remove, field) && remove.observed(entry))) {
        kept.add(entry);
      }
    }
    return kept;
  }

  private static Operation.UpdateFields updateOf(Simulation.Entry entry) {
    return (Operation.UpdateFields) Requests.operation(entry);
  }

  /** The tag and stamped value of an entry's register assignment, from its effect. */
  private static Map.Entry<Dot, LwwRegister.Stamped> assignment(Simulation.Entry entry) {
    for (OrMap.FieldChange change : ((OrMap.MapEffect) entry.effect()).changes()) {
      if (change.field().equals(REGISTER)) {
        LwwRegister delta = (LwwRegister) ((DeltaEffect) change.update()).delta();
        return delta.store().entries().entrySet().iterator().next();
      }
    }
    throw new IllegalArgumentException("no assignment in " + entry);
  }
}
