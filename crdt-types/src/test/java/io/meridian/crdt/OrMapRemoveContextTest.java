package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/**
 * A remove whose client context was read at another region may name tags its own region has not
 * applied. Those entries are concurrent with the remove, so regions apply them on either side of
 * it; the remove must take the same things away at every region (found by the replication
 * simulator, seeds 1077 and 1883). It may also be older than a fold at the region that applies it
 * (seeds 975 and 146581).
 */
class OrMapRemoveContextTest {
  private static final CrdtType MAP = CrdtRegistry.type(OrMap.NAME);

  private static ObjectNode increment(String field, long amount) {
    return Requests.fieldIncrement(field, amount);
  }

  private static ObjectNode assign(String field, String value) {
    return Requests.fieldUpdate(
        field, Requests.request(LwwRegister.NAME, "assign").put("value", value));
  }

  private static ObjectNode remove(String field) {
    return Requests.fieldRemove(field);
  }

  private static Effect prepare(CrdtState state, ObjectNode request, Dot dot, CausalContext seen) {
    return prepare(state, request, dot, dot.counter(), seen);
  }

  private static Effect prepare(
      CrdtState state, ObjectNode request, Dot dot, long timestamp, CausalContext seen) {
    return MAP.prepare(
            state, CrdtRegistry.parseUpdate(request), new UpdateContext(dot, timestamp, null, seen))
        .orElseThrow();
  }

  @Test
  void aRemoveTakesTheSameAtARegionThatHadNotAppliedWhatItsContextNames() {
    Dot east = new Dot("east", 1);
    Dot westAdd = new Dot("west", 1);
    Dot westRemove = new Dot("west", 2);
    Effect eastIncrement = prepare(MAP.empty(), increment("x", 1), east, null);
    CrdtState eastState = MAP.apply(MAP.empty(), eastIncrement, east);
    CausalContext readAtEast = MAP.observedContext(eastState);

    Effect westIncrement = prepare(MAP.empty(), increment("x", 2), westAdd, null);
    CrdtState westState = MAP.apply(MAP.empty(), westIncrement, westAdd);
    // The client read at east, then reached west, which has not applied east's entry yet.
    Effect staleRemove = prepare(westState, remove("x"), westRemove, readAtEast);
    westState = MAP.apply(westState, staleRemove, westRemove);
    westState = MAP.apply(westState, eastIncrement, east);

    eastState = MAP.apply(eastState, westIncrement, westAdd);
    eastState = MAP.apply(eastState, staleRemove, westRemove);

    assertThat(eastState).isEqualTo(westState);
    // West had not applied east's increment, so the remove did not take it; nor west's own,
    // which the client had not seen.
    assertThat(MAP.value(westState).toString()).isEqualTo("{\"x\":3}");
  }

  @Test
  void aRemoveWithAContextReadWhereItIsMadeTakesWhatTheContextNames() {
    Dot east = new Dot("east", 1);
    Dot eastRemove = new Dot("east", 2);
    Dot west = new Dot("west", 1);
    Effect eastIncrement = prepare(MAP.empty(), increment("x", 1), east, null);
    CrdtState eastState = MAP.apply(MAP.empty(), eastIncrement, east);
    CausalContext read = MAP.observedContext(eastState);
    Effect westIncrement = prepare(MAP.empty(), increment("x", 2), west, null);
    CrdtState westState = MAP.apply(MAP.empty(), westIncrement, west);

    eastState = MAP.apply(eastState, westIncrement, west);
    Effect removal = prepare(eastState, remove("x"), eastRemove, read);
    eastState = MAP.apply(eastState, removal, eastRemove);
    westState = MAP.apply(westState, eastIncrement, east);
    westState = MAP.apply(westState, removal, eastRemove);

    assertThat(eastState).isEqualTo(westState);
    assertThat(MAP.value(eastState).toString()).isEqualTo("{\"x\":2}");
  }

  @Test
  void aRemoveWithAContextOlderThanAFoldTakesTheSameAtRegionsThatFoldedAndThatDidNot() {
    Dot first = new Dot("east", 1);
    Dot second = new Dot("east", 2);
    Dot removeDot = new Dot("west", 1);
    Effect one = prepare(MAP.empty(), increment("x", 1), first, null);
    CrdtState state = MAP.apply(MAP.empty(), one, first);
    CausalContext readAfterFirst = MAP.observedContext(state);
    Effect two = prepare(state, increment("x", 2), second, null);
    state = MAP.apply(state, two, second);
    Effect removal = prepare(state, remove("x"), removeDot, readAfterFirst);

    CrdtState plain = MAP.apply(state, removal, removeDot);
    CrdtState folded = MAP.apply(MAP.fold(state, VersionVector.of("east", 2)), removal, removeDot);

    // The client had seen the first increment only: the second stays, folded or not.
    assertThat(MAP.value(plain).toString()).isEqualTo("{\"x\":2}");
    assertThat(MAP.value(folded)).isEqualTo(MAP.value(plain));
    VersionVector everything = VersionVector.of("east", 2).with("west", 1);
    assertThat(MAP.fold(folded, everything)).isEqualTo(MAP.fold(plain, everything));
  }

  /**
   * The replication simulator's seed 146581: two concurrent assignments of a register field, the
   * client read after only the winner, and a region folded both (stable) before the remove came.
   * The remove takes the winner only; the loser it never saw must show at regions that folded as at
   * regions that did not, so a fold in a map field must not drop a stable loser.
   */
  @Test
  void aRemoveOlderThanAFoldLeavesTheRegisterValueItsClientNeverSaw() {
    Dot east = new Dot("east", 1);
    Dot west = new Dot("west", 1);
    Dot removeDot = new Dot("west", 2);
    Effect eastAssign = prepare(MAP.empty(), assign("name", "east"), east, 100, null);
    CrdtState eastState = MAP.apply(MAP.empty(), eastAssign, east);
    CausalContext readAtEast = MAP.observedContext(eastState);
    Effect westAssign = prepare(MAP.empty(), assign("name", "west"), west, 50, null);
    CrdtState both = MAP.apply(MAP.apply(MAP.empty(), westAssign, west), eastAssign, east);
    assertThat(MAP.value(both).toString()).isEqualTo("{\"name\":\"east\"}");
    Effect removal = prepare(both, remove("name"), removeDot, readAtEast);

    VersionVector stable = VersionVector.of("east", 1).with("west", 1);
    CrdtState plain = MAP.apply(both, removal, removeDot);
    CrdtState folded = MAP.apply(MAP.fold(both, stable), removal, removeDot);

    assertThat(MAP.value(plain).toString()).isEqualTo("{\"name\":\"west\"}");
    assertThat(MAP.value(folded)).isEqualTo(MAP.value(plain));
    VersionVector everything = stable.with("west", 2);
    assertThat(MAP.fold(folded, everything)).isEqualTo(MAP.fold(plain, everything));
  }
}
