package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** g-set: the value is every element ever added. */
class GSetLawsTest extends SetLawsTest {
  @Override
  String typeName() {
    return GSet.NAME;
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    return ElementSets.json(named(history));
  }
}
