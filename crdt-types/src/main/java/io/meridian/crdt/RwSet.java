package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The remove-wins set: add and remove each put a fresh tag (marked add or remove) for the element
 * and supersede the element's observed tags; an element is in the set when it has tags and none of
 * them is a remove, so a remove concurrent with an add wins. A dot-store composition after Almeida,
 * Shoker and Baquero (2018). A remove's tag stays until a later add supersedes it: {@link
 * CrdtType#fold} cannot drop it even once stable, because a region that dropped it could no longer
 * name it in a later add, and a region that still holds it would keep the element removed (found by
 * the fold law). Immutable; {@code equals} is structural.
 */
public final class RwSet implements CrdtState {
  static final String NAME = "rw-set";

  /** One tagged add or remove of an element. */
  record Change(Element element, boolean removal) {}

  private final DotStore<Change> store;

  RwSet(DotStore<Change> store) {
    this.store = Objects.requireNonNull(store);
  }

  DotStore<Change> store() {
    return store;
  }

  /** The elements, in canonical order. */
  public SortedSet<Element> elements() {
    TreeSet<Element> present = new TreeSet<>();
    TreeSet<Element> removed = new TreeSet<>();
    for (Change change : store.entries().values()) {
      (change.removal() ? removed : present).add(change.element());
    }
    present.removeAll(removed);
    return present;
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RwSet set && store.equals(set.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends DotStoreType<Change, RwSet, DeltaEffect> {
    Type() {
      super(NAME, 8, RwSet.class, DeltaEffect.class, RwSet::store, RwSet::new);
    }

    @Override
    Optional<DeltaEffect> prepareTyped(RwSet state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.ChangeElements change)) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      TreeSet<Element> elements = new TreeSet<>(change.elements());
      DotStore<Change> removal =
          state.store.removalDelta(
              entry -> elements.contains(entry.element()),
              observedOrCurrent(context, state.store.context()));
      DeltaBuilder<Change> delta = new DeltaBuilder<>(state.store.context(), context.dot());
      delta.operationId(context.operationId());
      for (Element element : elements) {
        delta.put(new Change(element, !change.add()));
      }
      return Optional.of(new DeltaEffect(new RwSet(removal.join(delta.build(), sameTag()))));
    }

    @Override
    RwSet applyTyped(RwSet state, DeltaEffect effect, Dot entryDot) {
      return joinTyped(state, state(effect.delta()));
    }

    @Override
    JsonNode valueTyped(RwSet state) {
      return ElementSets.json(state.elements());
    }

    @Override
    boolean isEmptyTyped(RwSet state) {
      return state.elements().isEmpty() && state.store.entries().isEmpty();
    }
  }
}
