package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/**
 * A removed field leaves nothing once its tags are stable, and a region that dropped it agrees with
 * one that still holds it on every later update. Stories the seeded laws reach rarely or not at all
 * (the law simulation makes one update per log entry).
 */
class OrMapRemovedFieldTest {
  private static final CrdtType MAP = CrdtRegistry.type(OrMap.NAME);

  private static ObjectNode update(String field, String type, String op) {
    return Requests.fieldUpdate(field, Requests.request(type, op));
  }

  private static ObjectNode increment(String field, long amount) {
    return Requests.fieldIncrement(field, amount);
  }

  private static ObjectNode remove(String field) {
    return Requests.fieldRemove(field);
  }

  private static Effect prepare(CrdtState state, ObjectNode request, Dot dot) {
    return MAP.prepare(state, CrdtRegistry.parseUpdate(request), UpdateContext.of(dot, 1))
        .orElseThrow();
  }

  @Test
  void aRemovedFieldIsGoneOnceItsTagsAreStable() {
    Dot add = new Dot("east", 1);
    Dot removal = new Dot("east", 2);
    CrdtState state = MAP.apply(MAP.empty(), prepare(MAP.empty(), increment("x", 3), add), add);
    state = MAP.apply(state, prepare(state, remove("x"), removal), removal);

    CrdtState folded = MAP.fold(state, VersionVector.of("east", 2));

    assertThat(MAP.value(folded).toString()).isEqualTo("{}");
    assertThat(((OrMap) folded).fields()).isEmpty();
    assertThat(((OrMap) folded).presence().entries()).isEmpty();
  }

  /**
   * A field dropped at one region and still held, emptied, at another is updated again, as another
   * type; both regions end equal, and a later fold leaves equal bytes.
   */
  @Test
  void aRegionThatDroppedAFieldAndOneThatKeptItAgreeOnALaterUpdateOfAnotherType() {
    Dot add = new Dot("east", 1);
    Dot removal = new Dot("east", 2);
    Dot again = new Dot("west", 1);
    CrdtState state = MAP.apply(MAP.empty(), prepare(MAP.empty(), increment("x", 3), add), add);
    state = MAP.apply(state, prepare(state, remove("x"), removal), removal);
    VersionVector stable = VersionVector.of("east", 2);
    CrdtState dropped = MAP.fold(state, stable);
    CrdtState kept = state;

    Effect enable = prepare(dropped, update("x", EwFlag.NAME, "enable"), again);
    dropped = MAP.apply(dropped, enable, again);
    kept = MAP.apply(kept, enable, again);

    assertThat(MAP.value(kept)).isEqualTo(MAP.value(dropped));
    assertThat(MAP.value(kept).toString()).isEqualTo("{\"x\":true}");
    VersionVector everything = stable.with("west", 1);
    assertThat(CrdtRegistry.encodeState(MAP.fold(kept, everything)))
        .isEqualTo(CrdtRegistry.encodeState(MAP.fold(dropped, everything)));
    assertThat(MAP.join(kept, dropped)).isEqualTo(MAP.join(dropped, kept));
  }

  /**
   * One log entry updates two fields of a key in two steps (a batch). The first step's presence tag
   * extends the compact vector of a region that folded just before, and names the same tag as the
   * second step's item in the other field (each nested state numbers its own tags): taking the
   * whole compact vector as the prefix every field has seen made that region skip the item.
   */
  @Test
  void aBatchThatTouchesAKeyTwiceRightAfterAFoldLosesNothing() {
    Dot first = new Dot("east", 1);
    Dot batch = new Dot("east", 2);
    CrdtState plain = MAP.apply(MAP.empty(), prepare(MAP.empty(), increment("x", 1), first), first);
    CrdtState folded = MAP.fold(plain, VersionVector.of("east", 1));

    Effect firstStep = prepare(plain, increment("x", 2), batch);
    plain = MAP.apply(plain, firstStep, batch);
    Effect secondStep = prepare(plain, increment("y", 5), batch);
    plain = MAP.apply(plain, secondStep, batch);
    folded = MAP.apply(MAP.apply(folded, firstStep, batch), secondStep, batch);

    assertThat(MAP.value(plain).toString()).isEqualTo("{\"x\":3,\"y\":5}");
    assertThat(MAP.value(folded)).isEqualTo(MAP.value(plain));
    VersionVector everything = VersionVector.of("east", 2);
    assertThat(MAP.fold(folded, everything)).isEqualTo(MAP.fold(plain, everything));
  }

  /** A decoder accepts only the one form: no emptied nested state kept without presence. */
  @Test
  void theDecoderRejectsAnEmptiedFieldKeptWithoutPresence() {
    java.util.TreeMap<OrMap.FieldKey, CrdtState> fields = new java.util.TreeMap<>();
    fields.put(new OrMap.FieldKey("x", 2), CrdtRegistry.type(Counter.PN_COUNTER).empty());
    OrMap kept = new OrMap(DotStore.empty(), fields);
    byte[] bytes = CrdtRegistry.encodeState(kept);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CrdtRegistry.decodeState(bytes))
        .isInstanceOf(io.meridian.clocks.DecodeException.class);
  }
}
