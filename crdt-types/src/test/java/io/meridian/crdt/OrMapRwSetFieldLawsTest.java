package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * or-map with rw-set fields, whose adds and removes (of elements and of fields) often carry the
 * context of an earlier read at any replica. The rw-set keeps covers relative to its context's
 * compact vector, which the map puts its folded prefix into and takes it out of again, so the fold,
 * join and convergence laws check that round trip. Specification: the fields shown, which are those
 * with an update that no remove whose client had seen it took (the elements shown are the rw-set
 * suite's business).
 */
class OrMapRwSetFieldLawsTest extends OrMapFieldLaws {
  private static final List<String> FIELDS = List.of("s", "t");

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      String field = FIELDS.get(random.nextInt(FIELDS.size()));
      if (random.nextInt(4) == 0) {
        return removeWithEarlierRead(field);
      }
      ObjectNode change = Requests.request(RwSet.NAME, random.nextInt(3) == 0 ? "remove" : "add");
      change.set("elements", Requests.someElements(random));
      ObjectNode update = Requests.request(OrMap.NAME, "update");
      update.putObject("entries").set(field, change);
      return new Simulation.Request(update, null, random.nextBoolean());
    };
  }

  @Override
  JsonNode comparable(JsonNode value) {
    ArrayNode names = CanonicalJson.NODES.arrayNode();
    value.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    ArrayNode names = CanonicalJson.NODES.arrayNode();
    for (String field : FIELDS) {
      boolean kept =
          history.stream()
              .anyMatch(
                  entry ->
                      Requests.updatesField(entry, field)
                          && history.stream()
                              .noneMatch(
                                  remove ->
                                      Requests.removesField(remove, field)
                                          && remove.observed(entry)));
      if (kept) {
        names.add(field);
      }
    }
    return names;
  }
}
