package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The grow-only set (Shapiro et al., "A comprehensive study of convergent and commutative
 * replicated data types", 2011): elements are only added. Kept as a dot store of tagged elements,
 * like the aw-set, so that an or-map can remove a g-set field's observed elements; at the top level
 * no remove exists and the value only grows. Immutable; {@code equals} is structural.
 */
final class GSet implements CrdtState {
  static final String NAME = "g-set";
  private final DotStore<Element> store;

  GSet(DotStore<Element> store) {
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
    return other instanceof GSet set && store.equals(set.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends DotStoreType<Element, GSet, DeltaEffect> {
    Type() {
      super(NAME, 6, GSet.class, DeltaEffect.class, GSet::store, GSet::new);
    }

    @Override
    Optional<DeltaEffect> prepareTyped(GSet state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.ChangeElements change)) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      if (!change.add()) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      DotStore<Element> delta = ElementSets.addDelta(state.store, change.elements(), context);
      return Optional.of(new DeltaEffect(new GSet(delta)));
    }

    @Override
    GSet applyTyped(GSet state, DeltaEffect effect, Dot entryDot) {
      return joinTyped(state, state(effect.delta()));
    }

    @Override
    JsonNode valueTyped(GSet state) {
      return ElementSets.json(state.elements());
    }
  }
}
