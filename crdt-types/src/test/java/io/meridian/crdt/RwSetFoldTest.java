package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/**
 * Two regions, one of which folds a stable remove away while the other still holds it: a later add
 * must show the element at both, and after both fold they hold the same state. An add whose client
 * context was read before the remove supersedes it all the same, because a region that collected
 * the remove could not let it win. In an or-map field nothing is collected: a field remove whose
 * context names the remove but not the add it beat would revive that add only where the remove was
 * still held.
 */
class RwSetFoldTest {
  private static final int EUROPE = 0;
  private static final int ASIA = 1;
  private static final String[] NAMES = {"europe", "asia"};

  /** An update made at its origin, to be applied at the other region. */
  private record Made(Effect effect, Dot dot) {}

  private CrdtType type = CrdtRegistry.type(RwSet.NAME);
  private final CrdtState[] regions = new CrdtState[2];
  private VersionVector made = VersionVector.empty();

  private void start(String typeName) {
    type = CrdtRegistry.type(typeName);
    regions[EUROPE] = type.empty();
    regions[ASIA] = type.empty();
  }

  /** Makes the update at {@code origin} and applies it there. */
  private Made make(int origin, ObjectNode request, CausalContext observed) {
    Dot dot = new Dot(NAMES[origin], made.get(NAMES[origin]) + 1);
    UpdateContext context = UpdateContext.of(dot, 1);
    if (observed != null) {
      context = context.withObserved(observed);
    }
    Effect effect =
        type.prepare(regions[origin], CrdtRegistry.parseUpdate(request), context).orElseThrow();
    regions[origin] = type.apply(regions[origin], effect, dot);
    made = made.with(dot.replica(), dot.counter());
    return new Made(effect, dot);
  }

  private void deliver(Made update, int region) {
    regions[region] = type.apply(regions[region], update.effect(), update.dot());
  }

  /** Makes the update at {@code origin} and applies it at both regions at once. */
  private void update(int origin, ObjectNode request, CausalContext observed) {
    deliver(make(origin, request, observed), 1 - origin);
  }

  private static ObjectNode change(String op) {
    ObjectNode request = Requests.request(RwSet.NAME, op);
    request.putArray("elements").add("x");
    return request;
  }

  private static ObjectNode inField(ObjectNode change) {
    ObjectNode request = Requests.request(OrMap.NAME, "update");
    request.putObject("entries").set("f", change);
    return request;
  }

  private String value(int region) {
    return type.value(regions[region]).toString();
  }

  private void assertEqualOnceFolded() {
    assertThat(type.fold(regions[ASIA], made)).isEqualTo(type.fold(regions[EUROPE], made));
  }

  @Test
  void anAddAtARegionThatCollectedTheRemoveSupersedesItWhereItIsStillHeld() {
    start(RwSet.NAME);
    update(EUROPE, change("add"), null);
    update(ASIA, change("remove"), null);
    regions[EUROPE] = type.fold(regions[EUROPE], made);
    assertThat(((RwSet) regions[EUROPE]).store().entries()).isEmpty();
    assertThat(((RwSet) regions[ASIA]).store().entries()).hasSize(1);

    update(EUROPE, change("add"), null);

    assertThat(value(EUROPE)).isEqualTo("[\"x\"]");
    assertThat(value(ASIA)).isEqualTo("[\"x\"]");
    assertEqualOnceFolded();
  }

  @Test
  void anAddWithAContextReadBeforeTheRemoveStillSupersedesIt() {
    start(RwSet.NAME);
    update(EUROPE, change("add"), null);
    CausalContext readBeforeTheRemove = type.observedContext(regions[ASIA]);
    update(ASIA, change("remove"), null);
    regions[EUROPE] = type.fold(regions[EUROPE], made);

    update(ASIA, change("add"), readBeforeTheRemove);

    assertThat(value(EUROPE)).isEqualTo("[\"x\"]");
    assertThat(value(ASIA)).isEqualTo("[\"x\"]");
    assertEqualOnceFolded();
  }

  @Test
  void inAnOrMapFieldAStableRemoveIsKeptForAFieldRemoveThatNamesIt() {
    start(OrMap.NAME);
    Made concurrentAdd = make(EUROPE, inField(change("add")), null);
    update(ASIA, inField(change("remove")), null);
    CausalContext readWithTheRemoveOnly = type.observedContext(regions[ASIA]);
    deliver(concurrentAdd, ASIA);
    assertThat(value(EUROPE)).isEqualTo("{\"f\":[]}");
    regions[EUROPE] = type.fold(regions[EUROPE], made);

    ObjectNode removeField = Requests.request(OrMap.NAME, "remove");
    removeField.putArray("fields").add("f");
    update(ASIA, removeField, readWithTheRemoveOnly);

    // The field remove took the remove it observed and left the add its client never saw.
    assertThat(value(ASIA)).isEqualTo("{\"f\":[\"x\"]}");
    assertThat(value(EUROPE)).isEqualTo(value(ASIA));
    assertEqualOnceFolded();
  }
}
