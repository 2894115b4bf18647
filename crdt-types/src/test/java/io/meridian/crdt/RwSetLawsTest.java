package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.TreeSet;

/**
 * rw-set: an element is in the set iff the latest operations on it (those with no causally later
 * operation on it) exist and are all adds.
 */
class RwSetLawsTest extends SetLawsTest {
  @Override
  String typeName() {
    return RwSet.NAME;
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
