package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * or-map whose fields are updated as a g-counter (type tag 1) or a pn-counter (type tag 2) at will,
 * so regions often update one field with two types at once, and whose removes often carry the
 * context of an earlier read made at any replica. Specification: a remove takes an update iff its
 * client had seen it; a field is shown iff some update of it was not taken, as the type with the
 * smaller tag among those updates, with the sum of that type's untaken updates. Once everything is
 * delivered and folded, the map holds nothing for what was removed: a nested state only for a type
 * with a present update.
 *
 * <p>These are what a removed field being dropped must keep right: a region that dropped a field
 * and one that still holds it must agree on a later update of another type, a concurrent update and
 * a late remove with an old context, whatever each folded before.
 */
class OrMapMixedTypeFieldLawsTest extends OrMapFieldLaws {
  /**
   * T of 80 HLC units: both counter types sum what is older, removes with older reads are refused.
   */
  @Override
  long contextExpiryHlc() {
    return 80;
  }

  private static final List<String> FIELDS = List.of("x", "y");
  private static final List<String> TYPES = List.of(Counter.G_COUNTER, Counter.PN_COUNTER);

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      String field = FIELDS.get(random.nextInt(FIELDS.size()));
      if (random.nextInt(3) == 0) {
        return removeWithEarlierRead(field);
      }
      // A region that shows the field with the other type refuses the update (type_mismatch);
      // the simulation then makes nothing, as a client's rejected request does.
      ObjectNode update = Requests.request(OrMap.NAME, "update");
      update
          .putObject("entries")
          .set(
              field,
              Requests.request(TYPES.get(random.nextInt(TYPES.size())), "increment")
                  .put("by", 1 + random.nextInt(3)));
      return new Simulation.Request(update, null);
    };
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    ObjectNode value = CanonicalJson.NODES.objectNode();
    for (String field : FIELDS) {
      for (String type : TYPES) {
        List<Simulation.Entry> kept = kept(history, field, type);
        if (!kept.isEmpty()) {
          long sum = 0;
          for (Simulation.Entry entry : kept) {
            sum += increment(entry, field).amount();
          }
          value.put(field, sum);
          break;
        }
      }
    }
    return value;
  }

  @Override
  void checkFullyFolded(CrdtState folded, String why) {
    OrMap map = (OrMap) folded;
    TreeSet<OrMap.FieldKey> present = new TreeSet<>(map.presence().entries().values());
    assertThat(map.fields().keySet())
        .as(why + ": after the full fold only types with a present update keep a nested state")
        .containsExactlyElementsOf(present);
  }

  /** The updates of {@code field} with {@code type} that no remove whose client saw them took. */
  private static List<Simulation.Entry> kept(
      List<Simulation.Entry> history, String field, String type) {
    List<Simulation.Entry> kept = new ArrayList<>();
    for (Simulation.Entry entry : history) {
      Operation.Increment increment = increment(entry, field);
      if (increment != null
          && increment.typeName().equals(type)
          && history.stream()
              .noneMatch(
                  remove -> Requests.removesField(remove, field) && remove.observed(entry))) {
        kept.add(entry);
      }
    }
    return kept;
  }

  private static Operation.Increment increment(Simulation.Entry entry, String field) {
    return Requests.operation(entry) instanceof Operation.UpdateFields update
        ? (Operation.Increment) update.entries().get(field)
        : null;
  }
}
