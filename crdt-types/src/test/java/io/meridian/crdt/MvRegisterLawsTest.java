package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.TreeSet;

/** mv-register: the values of the assignments that no other assignment causally follows. */
class MvRegisterLawsTest extends CrdtLaws {
  @Override
  String typeName() {
    return MvRegister.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) ->
        new Simulation.Request(
            Requests.request(MvRegister.NAME, "assign").set("value", Requests.someValue(random)),
            random.nextInt(6) == 0 ? "id-" + random.nextInt(2) : null);
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    TreeSet<String> values = new TreeSet<>();
    for (Simulation.Entry entry : history) {
      if (history.stream().noneMatch(other -> Requests.before(entry, other))) {
        values.add(((Operation.Assign) Requests.operation(entry)).value());
      }
    }
    ArrayNode array = CanonicalJson.NODES.arrayNode();
    values.forEach(value -> array.add(CanonicalJson.parse(value)));
    return array;
  }
}
