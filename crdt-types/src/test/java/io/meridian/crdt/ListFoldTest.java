package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/**
 * Stories of folding a list, read top to bottom: what a fold must keep for entries still on their
 * way (tombstones are not collected yet; see the README).
 */
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
