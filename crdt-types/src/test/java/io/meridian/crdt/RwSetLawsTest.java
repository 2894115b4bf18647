package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.TreeSet;

/**
 * rw-set: an element is in the set iff the latest operations on it (those with no causally later
 * operation on it) exist and are all adds. Causality is the origin's: an add supersedes every
 * operation on its elements that its region had applied, whatever context its client sent (a
 * remove's context changes only which tags it drops, never the value, as the remove wins anyway).
 * So adds and removes here sometimes carry the context of an earlier read at any replica, which is
 * what lets the fold laws see a region that collected a stable remove disagree with one that did
 * not.
 */
class RwSetLawsTest extends SetLawsTest {
  @Override
  String typeName() {
    return RwSet.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    Simulation.RequestGenerator plain = super.requests();
    return (random, state) -> {
      Simulation.Request request = plain.next(random, state);
      return new Simulation.Request(request.body(), request.id(), random.nextBoolean());
    };
  }

  /** Longer runs: collecting a remove needs it to become stable and then be added again. */
  @Override
  int steps() {
    return 2 * STEPS;
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    TreeSet<Element> value = new TreeSet<>();
    for (Element element : named(history)) {
      List<Simulation.Entry> touching =
          history.stream().filter(entry -> change(entry).elements().contains(element)).toList();
      boolean present =
          touching.stream()
              .filter(entry -> touching.stream().noneMatch(other -> Requests.before(entry, other)))
              .allMatch(entry -> change(entry).add());
      if (present) {
        value.add(element);
      }
    }
    return ElementSets.json(value);
  }
}
