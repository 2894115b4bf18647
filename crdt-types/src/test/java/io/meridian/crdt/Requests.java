package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Random;

/** Small request generators and history helpers shared by the per-type law suites. */
final class Requests {
  private Requests() {}

  static final List<JsonNode> ELEMENTS =
      List.of(
          CanonicalJson.NODES.textNode("a"),
          CanonicalJson.NODES.textNode("b"),
          CanonicalJson.NODES.numberNode(1),
          CanonicalJson.NODES.numberNode(new BigDecimal("1.0")),
          CanonicalJson.NODES.numberNode(new BigDecimal("2.5")),
          CanonicalJson.NODES.booleanNode(true));

  static ObjectNode request(String type, String op) {
    ObjectNode node = CanonicalJson.NODES.objectNode();
    node.put("type", type);
    node.put("op", op);
    return node;
  }

  /** An or-map update of one field with {@code nested}. */
  static ObjectNode fieldUpdate(String field, ObjectNode nested) {
    ObjectNode update = request(OrMap.NAME, "update");
    update.putObject("entries").set(field, nested);
    return update;
  }

  /** An or-map update that increments the pn-counter in {@code field} by {@code amount}. */
  static ObjectNode fieldIncrement(String field, long amount) {
    return fieldUpdate(field, request(Counter.PN_COUNTER, "increment").put("by", amount));
  }

  /** An or-map remove of {@code field}. */
  static ObjectNode fieldRemove(String field) {
    ObjectNode remove = request(OrMap.NAME, "remove");
    remove.putArray("fields").add(field);
    return remove;
  }

  /** True when the entry's request is an or-map update of {@code field}. */
  static boolean updatesField(Simulation.Entry entry, String field) {
    return operation(entry) instanceof Operation.UpdateFields update
        && update.entries().containsKey(field);
  }

  /** True when the entry's request is an or-map remove of {@code field}. */
  static boolean removesField(Simulation.Entry entry, String field) {
    return operation(entry) instanceof Operation.RemoveFields remove
        && remove.fields().contains(field);
  }

  static ArrayNode someElements(Random random) {
    ArrayNode array = CanonicalJson.NODES.arrayNode();
    int count = 1 + random.nextInt(2);
    for (int i = 0; i < count; i++) {
      array.add(ELEMENTS.get(random.nextInt(ELEMENTS.size())));
    }
    return array;
  }

  static JsonNode someValue(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> CanonicalJson.NODES.numberNode(random.nextInt(3));
      case 1 -> CanonicalJson.NODES.textNode("v" + random.nextInt(3));
      case 2 -> CanonicalJson.NODES.objectNode().put("z", 1).put("a", random.nextInt(2));
      default -> CanonicalJson.NODES.nullNode();
    };
  }

  /** True when some entry of {@code later} has {@code entry} in its causal past. */
  static boolean before(Simulation.Entry entry, Simulation.Entry later) {
    return entry.happenedBefore(later);
  }

  static Operation operation(Simulation.Entry entry) {
    return CrdtRegistry.parseUpdate(entry.request());
  }
}
