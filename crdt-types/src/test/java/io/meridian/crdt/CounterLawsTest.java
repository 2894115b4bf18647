package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** g-counter and pn-counter: laws, and the value as the sum of the history, each op id once. */
abstract class CounterLawsTest extends CrdtLaws {
  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      if (random.nextInt(4) == 0) {
        // An op id always names the same request, as a client's retry does (S4).
        int key = 1 + random.nextInt(2);
        return new Simulation.Request(
            Requests.request(typeName(), "increment").put("by", key), "retry-" + key);
      }
      boolean decrement = typeName().equals(Counter.PN_COUNTER) && random.nextBoolean();
      int by = typeName().equals(Counter.PN_COUNTER) ? random.nextInt(7) - 3 : random.nextInt(4);
      return new Simulation.Request(
          Requests.request(typeName(), decrement ? "decrement" : "increment").put("by", by), null);
    };
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    long sum = 0;
    Set<String> ids = new HashSet<>();
    for (Simulation.Entry entry : history) {
      if (entry.id() == null || ids.add(entry.id())) {
        sum += ((Operation.Increment) Requests.operation(entry)).amount();
      }
    }
    return CanonicalJson.NODES.numberNode(sum);
  }
}
