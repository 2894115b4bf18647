package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The add-wins (observed-remove) set without tombstones: each live element keeps the tag of its
 * latest add; a remove drops the tags it observed, so an add concurrent with it survives. Bieniusa
 * et al., "An optimized conflict-free replicated set" (2012), as the delta-state add-wins set of
 * Almeida, Shoker and Baquero (2018). Immutable; {@code equals} is structural.
 */
final class AwSet implements CrdtState {
  static final String NAME = "aw-set";
  private final DotStore<Element> store;

  AwSet(DotStore<Element> store) {
    this.store = Objects.requireNonNull(store);
  }

  DotStore<Element> store() {
    return store;
  }

  /** The elements, in canonical order. */
  public SortedSet<Element> elements() {
    return ElementSets.value(store);
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AwSet set && store.equals(set.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends DotStoreType<Element, AwSet, DeltaEffect> {
    Type() {
      super(NAME, 7, AwSet.class, DeltaEffect.class, AwSet::store, AwSet::new);
    }

    @Override
    Optional<DeltaEffect> prepareTyped(AwSet state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.ChangeElements change)) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      DotStore<Element> delta =
          change.add()
              ? ElementSets.addDelta(state.store, change.elements(), context)
              : ElementSets.removeDelta(state.store, change.elements(), context);
      return Optional.of(new DeltaEffect(new AwSet(delta)));
    }

    @Override
    AwSet applyTyped(AwSet state, DeltaEffect effect, Dot entryDot) {
      return joinTyped(state, state(effect.delta()));
    }

    @Override
    JsonNode valueTyped(AwSet state) {
      return ElementSets.json(state.elements());
    }
  }
}
