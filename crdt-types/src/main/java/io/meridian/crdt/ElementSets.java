package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/** Mutators and values shared by the g-set and the aw-set, both a dot store of elements. */
final class ElementSets {
  private ElementSets() {}

  /**
   * Adds each element with a fresh tag and supersedes the element's older tags, so a live element
   * costs one tag however often it was added (Almeida et al. 2018, add-wins set).
   */
  static DotStore<Element> addDelta(
      DotStore<Element> state, Collection<Element> elements, UpdateContext context) {
    DeltaBuilder<Element> delta = new DeltaBuilder<>(state.context(), context.dot());
    delta.operationId(context.recordedOperationId());
    for (Element element : new TreeSet<>(elements)) {
      for (Dot tag : state.tagsOf(element)) {
        delta.supersede(tag);
      }
      delta.put(element);
    }
    return delta.build();
  }

  /** Removes the observed tags of each element; a concurrent add keeps its own tag (add wins). */
  static DotStore<Element> removeDelta(
      DotStore<Element> state, Collection<Element> elements, UpdateContext context) {
    CausalContext observed = AbstractType.observedOrCurrent(context, state.context());
    TreeSet<Element> removed = new TreeSet<>(elements);
    DotStore<Element> removal = state.removalDeltaOf(removed, observed);
    DeltaBuilder<Element> ids = new DeltaBuilder<>(state.context(), context.dot());
    ids.operationId(context.recordedOperationId());
    return removal.join(ids.build(), (left, right) -> left);
  }

  static SortedSet<Element> value(DotStore<Element> state) {
    return new TreeSet<>(state.entries().values());
  }

  static JsonNode json(Collection<Element> elements) {
    ArrayNode array = CanonicalJson.NODES.arrayNode();
    for (Element element : elements) {
      array.add(JsonMapping.elementJson(element));
    }
    return array;
  }
}
