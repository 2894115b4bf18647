package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/**
 * Two regions, one of which folds a stable remove away while the other still holds it: a later add
 * must show the element at both, and after both fold they hold the same state. The second story is
 * an add whose client context was read before the remove: it supersedes the remove all the same,
 * because a region that collected the remove could not let it win.
 */
class RwSetFoldTest {
  private final CrdtType type = CrdtRegistry.type(RwSet.NAME);
  private final CrdtState[] regions = {type.empty(), type.empty()};
  private VersionVector applied = VersionVector.empty();

  private static final int EUROPE = 0;
  private static final int ASIA = 1;
  private static final String[] NAMES = {"europe", "asia"};

  /** Makes the update at {@code origin} and applies it at both regions at once. */
  private void update(int origin, String op, CausalContext observed) {
    ObjectNode request = Requests.request(RwSet.NAME, op);
    request.putArray("elements").add("x");
    Dot dot = new Dot(NAMES[origin], applied.get(NAMES[origin]) + 1);
    UpdateContext context = UpdateContext.of(dot, 1);
    if (observed != null) {
      context = context.withObserved(observed);
    }
    Effect effect =
        type.prepare(regions[origin], CrdtRegistry.parseUpdate(request), context).orElseThrow();
    for (int region = 0; region < regions.length; region++) {
      regions[region] = type.apply(regions[region], effect, dot);
    }
    applied = applied.with(dot.replica(), dot.counter());
  }

  private String value(int region) {
    return type.value(regions[region]).toString();
  }

  @Test
  void anAddAtARegionThatCollectedTheRemoveSupersedesItWhereItIsStillHeld() {
    update(EUROPE, "add", null);
    update(ASIA, "remove", null);
    VersionVector stable = applied;
    regions[EUROPE] = type.fold(regions[EUROPE], stable);
    assertThat(((RwSet) regions[EUROPE]).store().entries()).isEmpty();
    assertThat(((RwSet) regions[ASIA]).store().entries()).hasSize(1);

    update(EUROPE, "add", null);

    assertThat(value(EUROPE)).isEqualTo("[\"x\"]");
    assertThat(value(ASIA)).isEqualTo("[\"x\"]");
    assertThat(type.fold(regions[ASIA], applied)).isEqualTo(type.fold(regions[EUROPE], applied));
  }

  @Test
  void anAddWithAContextReadBeforeTheRemoveStillSupersedesIt() {
    update(EUROPE, "add", null);
    CausalContext readBeforeTheRemove = type.observedContext(regions[ASIA]);
    update(ASIA, "remove", null);
    regions[EUROPE] = type.fold(regions[EUROPE], applied);

    update(ASIA, "add", readBeforeTheRemove);

    assertThat(value(EUROPE)).isEqualTo("[\"x\"]");
    assertThat(value(ASIA)).isEqualTo("[\"x\"]");
    assertThat(type.fold(regions[ASIA], applied)).isEqualTo(type.fold(regions[EUROPE], applied));
  }
}
