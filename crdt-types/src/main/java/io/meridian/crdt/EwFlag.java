package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import java.util.Objects;
import java.util.Optional;

/**
 * The enable-wins flag: enable adds a fresh tag and supersedes the observed ones; disable drops the
 * observed tags; the flag is on while any tag is left, so an enable concurrent with a disable wins.
 * Almeida, Shoker and Baquero, "Delta state replicated data types" (2018). Immutable; {@code
 * equals} is structural.
 */
final class EwFlag implements CrdtState {
  static final String NAME = "ew-flag";
  private final DotStore<Boolean> store;

  EwFlag(DotStore<Boolean> store) {
    this.store = Objects.requireNonNull(store);
  }

  DotStore<Boolean> store() {
    return store;
  }

  public boolean enabled() {
    return !store.entries().isEmpty();
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EwFlag flag && store.equals(flag.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends DotStoreType<Boolean, EwFlag, DeltaEffect> {
    Type() {
      super(NAME, 5, EwFlag.class, DeltaEffect.class, EwFlag::store, EwFlag::new);
    }

    @Override
    Optional<DeltaEffect> prepareTyped(EwFlag state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.SetFlag flag)) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      DotStore<Boolean> removal =
          state.store.removalDelta(
              value -> true, observedOrCurrent(context, state.store.context()));
      DeltaBuilder<Boolean> delta = new DeltaBuilder<>(state.store.context(), context.dot());
      delta.operationId(context.recordedOperationId());
      if (flag.enable()) {
        delta.put(Boolean.TRUE);
      }
      return Optional.of(new DeltaEffect(new EwFlag(removal.join(delta.build(), sameTag()))));
    }

    @Override
    EwFlag applyTyped(EwFlag state, DeltaEffect effect, Dot entryDot) {
      return joinTyped(state, state(effect.delta()));
    }

    @Override
    JsonNode valueTyped(EwFlag state) {
      return CanonicalJson.NODES.booleanNode(state.enabled());
    }
  }
}
