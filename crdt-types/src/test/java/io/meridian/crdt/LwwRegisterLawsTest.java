package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * lww-register: a causally later assignment has a higher timestamp whatever the clocks said (S6),
 * and the value is the assignment with the highest (timestamp, origin, tag).
 */
class LwwRegisterLawsTest extends CrdtLaws {
  @Override
  String typeName() {
    return LwwRegister.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) ->
        new Simulation.Request(
            Requests.request(LwwRegister.NAME, "assign").set("value", Requests.someValue(random)),
            random.nextInt(6) == 0 ? "id-" + random.nextInt(2) : null);
  }

  private static Map.Entry<Dot, LwwRegister.Stamped> assignment(Simulation.Entry entry) {
    LwwRegister delta = (LwwRegister) ((DeltaEffect) entry.effect()).delta();
    return delta.store().entries().entrySet().iterator().next();
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    for (Simulation.Entry earlier : history) {
      for (Simulation.Entry later : history) {
        if (Requests.before(earlier, later)) {
          assertThat(assignment(later).getValue().timestamp())
              .as("S6: a causally later assignment has a higher timestamp")
              .isGreaterThan(assignment(earlier).getValue().timestamp());
        }
      }
    }
    return history.stream()
        .map(LwwRegisterLawsTest::assignment)
        .max(
            Comparator.<Map.Entry<Dot, LwwRegister.Stamped>>comparingLong(
                    entry -> entry.getValue().timestamp())
                .thenComparing(entry -> entry.getKey().replica())
                .thenComparingLong(entry -> entry.getKey().counter()))
        .map(entry -> CanonicalJson.parse(entry.getValue().value()))
        .orElse(NullNode.getInstance());
  }

  /**
   * Pipelined writes (replication seed 707019): an origin stamps its next entry while the previous
   * one is not applied yet, so the next is prepared without it, with only an HLC above it. When the
   * previous entry assigned the key twice in one batch, the second assignment must not climb above
   * the entry's HLC, or it beats the causally later one (S6). It did when each assignment of a
   * batch took a timestamp above the one before it.
   */
  @Test
  void aBatchDoesNotClimbAboveTheNextEntryPreparedWithoutIt() {
    CrdtType type = CrdtRegistry.type(LwwRegister.NAME);
    long hlc = 1_000_000L << 16;
    CrdtState earlier = batch(type, type.empty(), new Dot("q", 1), hlc, "x", "y");
    CrdtState previous =
        batch(type, earlier, new Dot("r", 1), HlcTimestamp.successor(hlc), "a", "b");
    CrdtState next = batch(type, earlier, new Dot("r", 2), HlcTimestamp.successor(hlc + 1), "c");
    CrdtState both = type.join(previous, next);
    assertThat(type.value(both)).isEqualTo(CanonicalJson.NODES.textNode("c"));
  }

  /** An entry that assigns {@code values} in turn, prepared on {@code state} and applied to it. */
  private static CrdtState batch(
      CrdtType type, CrdtState state, Dot entry, long hlc, String... values) {
    CrdtState result = state;
    UpdateContext context = UpdateContext.of(entry, hlc);
    for (String value : values) {
      Effect effect =
          type.prepare(
                  result,
                  CrdtRegistry.parseUpdate(
                      Requests.request(LwwRegister.NAME, "assign")
                          .set("value", CanonicalJson.NODES.textNode(value))),
                  context)
              .orElseThrow();
      result = type.apply(result, effect, entry);
    }
    return result;
  }
}
