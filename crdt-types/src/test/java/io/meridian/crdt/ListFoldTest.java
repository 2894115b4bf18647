package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/** Stories of the list's tombstone collection, read top to bottom. */
class ListFoldTest {
  private final CrdtType list = CrdtRegistry.type(RgaList.NAME);

  private CrdtState update(CrdtState state, Dot dot, ObjectNode request) {
    Effect effect =
        list.prepare(state, CrdtRegistry.parseUpdate(request), UpdateContext.of(dot, dot.counter()))
            .orElseThrow();
    return list.apply(state, effect, dot);
  }

  private static ObjectNode insert(int index, String... values) {
    ObjectNode request = Requests.request(RgaList.NAME, "insert").put("index", index);
    for (String value : values) {
      request.withArray("values").add(value);
    }
    return request;
  }

  private static ObjectNode delete(int index, int count) {
    return Requests.request(RgaList.NAME, "delete").put("index", index).put("count", count);
  }

  @Test
  void aStableTombstoneThatAnchorsNothingIsDroppedAndLaterInsertsLandAlikeEverywhere() {
    // Region a writes "o", "d", "e" and deletes "d"; both regions apply all of it.
    CrdtState state = update(list.empty(), new Dot("a", 1), insert(0, "o"));
    state = update(state, new Dot("a", 2), insert(1, "d"));
    state = update(state, new Dot("a", 3), insert(1, "e"));
    state = update(state, new Dot("a", 4), delete(2, 1));
    assertThat(list.value(state).toString()).isEqualTo("[\"o\",\"e\"]");
    // It is stable; region a folds, region b has not yet.
    CrdtState folded = list.fold(state, VersionVector.of("a", 4));
    CrdtState unfolded = state;
    assertThat(((RgaList) folded).items()).hasSize(2);
    assertThat(CrdtRegistry.encodeState(folded).length)
        .isLessThan(CrdtRegistry.encodeState(unfolded).length);
    // Region b inserts after "e" and "o", and both regions apply it.
    Dot first = new Dot("b", 1);
    Effect after =
        list.prepare(unfolded, CrdtRegistry.parseUpdate(insert(2, "x")), UpdateContext.of(first, 9))
            .orElseThrow();
    Dot second = new Dot("b", 2);
    CrdtState atB = list.apply(unfolded, after, first);
    Effect front =
        list.prepare(atB, CrdtRegistry.parseUpdate(insert(1, "y")), UpdateContext.of(second, 10))
            .orElseThrow();
    atB = list.apply(atB, front, second);
    CrdtState atA = list.apply(list.apply(folded, after, first), front, second);
    assertThat(list.value(atA)).isEqualTo(list.value(atB));
    assertThat(list.value(atA).toString()).isEqualTo("[\"o\",\"y\",\"e\",\"x\"]");
    // Once b folds too, the two states are equal, item for item.
    VersionVector all = VersionVector.of("a", 4).with("b", 2);
    assertThat(list.fold(atB, all)).isEqualTo(list.fold(atA, all));
  }

  @Test
  void aStableTombstoneStaysWhileAnItemIsAnchoredToIt() {
    CrdtState state = update(list.empty(), new Dot("a", 1), insert(0, "p"));
    state = update(state, new Dot("a", 2), insert(1, "q"));
    state = update(state, new Dot("a", 3), delete(0, 1));
    CrdtState folded = list.fold(state, VersionVector.of("a", 3));
    assertThat(((RgaList) folded).items())
        .extracting(RgaList.Item::value)
        .containsExactly("\"p\"", "\"q\"");
    assertThat(list.value(folded).toString()).isEqualTo("[\"q\"]");
    // Deleting "q" too frees both: "q" first, and then "p", which nothing is anchored to any more.
    state = update(folded, new Dot("a", 4), delete(0, 1));
    assertThat(((RgaList) list.fold(state, VersionVector.of("a", 4))).items()).isEmpty();
  }

  private Effect prepare(CrdtState state, Dot dot, ObjectNode request, String operationId) {
    return list.prepare(
            state,
            CrdtRegistry.parseUpdate(request),
            UpdateContext.of(dot, dot.counter()).withOperationId(operationId))
        .orElseThrow();
  }

  /**
   * The replication simulator's seed 101721: a client's retry made a second copy of an insert at
   * another region, and that region inserted after its copy before the first copy, which wins,
   * reached it. A region that has both copies but not that later insert folds with a vector that
   * holds the losing copy and not the winner: the losing copy must stay until the winner is stable
   * too, or the later insert finds no origin there and lands at the head.
   */
  @Test
  void aNeutralisedDuplicateStaysWhileTheCopyThatWinsIsNotStable() {
    Dot x = new Dot("a", 1);
    Dot winner = new Dot("a", 2);
    Dot loser = new Dot("b", 1);
    Dot after = new Dot("b", 2);
    CrdtState withX = update(list.empty(), x, insert(0, "x"));
    Effect winning = prepare(withX, winner, insert(1, "p"), "retried");
    Effect losing = prepare(withX, loser, insert(1, "p"), "retried");
    CrdtState atB = list.apply(withX, losing, loser);
    // Before the winning copy reaches b, b inserts after its own copy of "p".
    Effect later = prepare(atB, after, insert(2, "q"), null);
    atB = list.apply(list.apply(atB, later, after), winning, winner);
    assertThat(list.value(atB).toString()).isEqualTo("[\"x\",\"q\",\"p\"]");

    // Region c has x and both copies; b:1 is stable and settled there (a:2 is applied), a:2 not.
    CrdtState atC = list.apply(list.apply(withX, winning, winner), losing, loser);
    atC = list.fold(atC, VersionVector.of("a", 1).with("b", 1));
    atC = list.apply(atC, later, after);

    assertThat(list.value(atC)).isEqualTo(list.value(atB));
    VersionVector all = VersionVector.of("a", 2).with("b", 2);
    assertThat(list.fold(atC, all)).isEqualTo(list.fold(atB, all));
  }
}
