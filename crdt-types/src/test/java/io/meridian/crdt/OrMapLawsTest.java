package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * or-map with pn-counter fields (and one nested or-map): a field is shown iff some update of it has
 * no causally later remove of it, and it shows the sum of exactly those updates; a remove never
 * resurrects what it removed. Once everything is delivered and folded, a removed field leaves
 * nothing: the map keeps a nested state only for a field with a present update.
 */
class OrMapLawsTest extends CrdtLaws {
  /** T of 60 HLC units: counter fields (duplicates of op ids included) sum what is older. */
  @Override
  long contextExpiryHlc() {
    return 60;
  }

  private static final List<String> FIELDS = List.of("x", "y");

  @Override
  String typeName() {
    return OrMap.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      if (random.nextInt(6) == 0) {
        // An op id always names the same request, as a client's retry does (S4).
        int key = random.nextInt(FIELDS.size());
        ObjectNode retried = Requests.request(OrMap.NAME, "update");
        retried
            .putObject("entries")
            .set(
                FIELDS.get(key),
                Requests.request(Counter.PN_COUNTER, "increment").put("by", 10 + key));
        return new Simulation.Request(retried, "retry-" + key);
      }
      String field = FIELDS.get(random.nextInt(FIELDS.size()));
      if (random.nextInt(3) == 0) {
        ObjectNode remove = Requests.request(OrMap.NAME, "remove");
        remove.putArray("fields").add(field);
        return new Simulation.Request(remove, null);
      }
      ObjectNode update = Requests.request(OrMap.NAME, "update");
      update
          .putObject("entries")
          .set(
              field,
              Requests.request(Counter.PN_COUNTER, "increment").put("by", 1 + random.nextInt(3)));
      return new Simulation.Request(update, null);
    };
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    ObjectNode value = CanonicalJson.NODES.objectNode();
    // Of the concurrent duplicates of one op id, the one with the smallest dot takes effect.
    java.util.Map<String, io.meridian.clocks.Dot> winners = new java.util.HashMap<>();
    for (Simulation.Entry entry : history) {
      if (entry.id() != null) {
        winners.merge(entry.id(), entry.dot(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
    for (String field : FIELDS) {
      long sum = 0;
      boolean shown = false;
      for (Simulation.Entry entry : history) {
        if (Requests.operation(entry) instanceof Operation.UpdateFields update
            && update.entries().containsKey(field)
            && (entry.id() == null || winners.get(entry.id()).equals(entry.dot()))
            && history.stream()
                .noneMatch(
                    remove ->
                        Requests.removesField(remove, field) && Requests.before(entry, remove))) {
          shown = true;
          sum += ((Operation.Increment) update.entries().get(field)).amount();
        }
      }
      if (shown) {
        value.put(field, sum);
      }
    }
    return value;
  }

  @Override
  void checkFullyFolded(CrdtState folded, String why) {
    OrMap map = (OrMap) folded;
    assertThat(map.fields().keySet())
        .as(why + ": after the full fold a removed field holds nothing")
        .containsExactlyElementsOf(new java.util.TreeSet<>(map.presence().entries().values()));
  }
}
