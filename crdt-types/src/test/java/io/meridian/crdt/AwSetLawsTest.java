package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.TreeSet;

/** aw-set: an element is in the set iff some add of it has no causally later remove of it. */
class AwSetLawsTest extends SetLawsTest {
  @Override
  String typeName() {
    return AwSet.NAME;
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    TreeSet<Element> value = new TreeSet<>();
    for (Element element : named(history)) {
      boolean present =
          history.stream()
              .filter(add -> change(add).add() && change(add).elements().contains(element))
              .anyMatch(
                  add ->
                      history.stream()
                          .noneMatch(
                              remove ->
                                  !change(remove).add()
                                      && change(remove).elements().contains(element)
                                      && Requests.before(add, remove)));
      if (present) {
        value.add(element);
      }
    }
    return ElementSets.json(value);
  }
}
