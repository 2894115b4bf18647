package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meridian.clocks.Dot;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The multi-value register: an assignment replaces the values it observed, and concurrent
 * assignments are all kept (Shapiro et al. 2011; as a dot store in Almeida, Shoker and Baquero,
 * 2018). Values are canonical JSON texts, shown in their text order. Immutable; {@code equals} is
 * structural.
 */
final class MvRegister implements CrdtState {
  static final String NAME = "mv-register";
  private final DotStore<String> store;

  MvRegister(DotStore<String> store) {
    this.store = Objects.requireNonNull(store);
  }

  DotStore<String> store() {
    return store;
  }

  /** The concurrent values as canonical JSON texts, in order. */
  public SortedSet<String> values() {
    return new TreeSet<>(store.entries().values());
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MvRegister register && store.equals(register.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends DotStoreType<String, MvRegister, DeltaEffect> {
    Type() {
      super(NAME, 4, MvRegister.class, DeltaEffect.class, MvRegister::store, MvRegister::new);
    }

    @Override
    Optional<DeltaEffect> prepareTyped(
        MvRegister state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.Assign assign)) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      DotStore<String> removal =
          state.store.removalDelta(
              value -> true, observedOrCurrent(context, state.store.context()));
      DeltaBuilder<String> delta = new DeltaBuilder<>(state.store.context(), context.dot());
      delta.operationId(context.recordedOperationId());
      delta.put(assign.value());
      return Optional.of(new DeltaEffect(new MvRegister(removal.join(delta.build(), sameTag()))));
    }

    @Override
    MvRegister applyTyped(MvRegister state, DeltaEffect effect, Dot entryDot) {
      return joinTyped(state, state(effect.delta()));
    }

    @Override
    JsonNode valueTyped(MvRegister state) {
      ArrayNode array = CanonicalJson.NODES.arrayNode();
      for (String value : state.values()) {
        array.add(CanonicalJson.parse(value));
      }
      return array;
    }
  }
}
