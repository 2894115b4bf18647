package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * list: the visible items are exactly the inserted ones no delete removed (and of the effects that
 * share an op id, only the first); every item follows its origin; two concurrent inserts never
 * interleave.
 */
class ListLawsTest extends CrdtLaws {
  @Override
  String typeName() {
    return RgaList.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      int size = ((RgaList) state).values().size();
      if (size > 0 && random.nextInt(3) == 0) {
        int index = random.nextInt(size);
        ObjectNode delete = Requests.request(RgaList.NAME, "delete").put("index", index);
        delete.put("count", 1 + random.nextInt(Math.min(2, size - index)));
        return new Simulation.Request(delete, null);
      }
      ObjectNode insert =
          Requests.request(RgaList.NAME, "insert").put("index", random.nextInt(size + 1));
      ArrayNode values = insert.putArray("values");
      int count = 1 + random.nextInt(3);
      for (int i = 0; i < count; i++) {
        values.add(random.nextInt(5));
      }
      return new Simulation.Request(
          insert, random.nextInt(6) == 0 ? "id-" + random.nextInt(2) : null);
    };
  }

  private static RgaList.ListEffect effect(Simulation.Entry entry) {
    return (RgaList.ListEffect) entry.effect();
  }

  /** Tags of the items of an insert. */
  private static List<Dot> tags(Simulation.Entry entry) {
    List<Dot> tags = new ArrayList<>();
    for (int i = 0; i < effect(entry).values().size(); i++) {
      tags.add(Tags.of(entry.dot(), effect(entry).ordinal() + i));
    }
    return tags;
  }

  /** The multiset of visible values, sorted: the order is checked by the properties below. */
  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    Set<Dot> deleted = new HashSet<>();
    Map<String, Dot> firstById = new HashMap<>();
    for (Simulation.Entry entry : history) {
      deleted.addAll(effect(entry).deletions());
      if (entry.id() != null) {
        firstById.merge(
            entry.id(),
            Tags.of(entry.dot(), effect(entry).ordinal()),
            (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
    List<Integer> values = new ArrayList<>();
    for (Simulation.Entry entry : history) {
      boolean duplicate =
          entry.id() != null
              && !firstById.get(entry.id()).equals(Tags.of(entry.dot(), effect(entry).ordinal()));
      List<Dot> tags = tags(entry);
      for (int i = 0; i < tags.size(); i++) {
        if (!duplicate && !deleted.contains(tags.get(i))) {
          values.add(Integer.parseInt(effect(entry).values().get(i)));
        }
      }
    }
    values.sort(null);
    ArrayNode array = CanonicalJson.NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  @Override
  JsonNode comparable(JsonNode value) {
    List<Integer> values = new ArrayList<>();
    value.forEach(item -> values.add(item.intValue()));
    values.sort(null);
    ArrayNode array = CanonicalJson.NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  /** Once all is stable, a tombstone stays only while some remaining item is anchored to it. */
  @Override
  void checkFullyFolded(CrdtState folded, String why) {
    List<RgaList.Item> items = ((RgaList) folded).items();
    Set<Dot> anchors = new HashSet<>();
    items.forEach(item -> anchors.add(item.origin()));
    for (RgaList.Item item : items) {
      if (item.deletedBy() != null) {
        assertThat(anchors).as(why + ": unneeded tombstone " + item).contains(item.tag());
      }
    }
  }

  @Property
  void itemsFollowTheirOriginAndConcurrentInsertsNeverInterleave(@ForAll long seed) {
    Simulation simulation = run(seed, false);
    simulation.deliverAll();
    List<RgaList.Item> items = ((RgaList) simulation.states[0]).items();
    Map<Dot, Integer> position = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      position.put(items.get(i).tag(), i);
    }
    for (RgaList.Item item : items) {
      if (item.origin() != null) {
        assertThat(position.get(item.origin()))
            .as(simulation.reproduction())
            .isLessThan(position.get(item.tag()));
      }
    }
    List<Simulation.Entry> inserts =
        simulation.log.stream().filter(entry -> effect(entry).insert()).toList();
    for (Simulation.Entry first : inserts) {
      for (Simulation.Entry second : inserts) {
        if (first != second && !Requests.before(first, second) && !Requests.before(second, first)) {
          StringBuilder pattern = new StringBuilder();
          Set<Dot> firstTags = new HashSet<>(tags(first));
          Set<Dot> secondTags = new HashSet<>(tags(second));
          for (RgaList.Item item : items) {
            if (firstTags.contains(item.tag())) {
              pattern.append('f');
            } else if (secondTags.contains(item.tag())) {
              pattern.append('s');
            }
          }
          assertThat(pattern.toString())
              .as(simulation.reproduction() + ": concurrent inserts interleave")
              .matches("f*s*|s*f*");
        }
      }
    }
  }
}
