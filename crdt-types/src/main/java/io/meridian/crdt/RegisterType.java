package io.meridian.crdt;

import io.meridian.clocks.Dot;
import java.util.Optional;
import java.util.function.Function;

/**
 * The common half of the two registers: an assignment replaces every value its context observed
 * with one new entry, as a delta that {@code apply} joins in. A register says only what its entry
 * holds ({@link #stored}) and how it shows its values.
 */
abstract class RegisterType<V, S extends CrdtState> extends DotStoreType<V, S, DeltaEffect> {
  RegisterType(
      String name,
      int tag,
      Class<S> stateClass,
      Function<S, DotStore<V>> store,
      Function<DotStore<V>, S> wrap) {
    super(name, tag, stateClass, DeltaEffect.class, store, wrap);
  }

  /** What the new entry of {@code assign} holds, prepared against {@code state}. */
  abstract V stored(S state, Operation.Assign assign, UpdateContext context);

  @Override
  final Optional<DeltaEffect> prepareTyped(S state, Operation operation, UpdateContext context) {
    if (alreadyApplied(state, context)) {
      return Optional.empty();
    }
    if (!(operation instanceof Operation.Assign assign)) {
      throw JsonMapping.wrongOperation(name(), operation);
    }
    DotStore<V> current = store(state);
    DotStore<V> removal =
        current.removalDelta(value -> true, observedOrCurrent(context, current.context()));
    DeltaBuilder<V> delta = new DeltaBuilder<>(current.context(), context.dot());
    delta.operationId(context.recordedOperationId());
    delta.put(stored(state, assign, context));
    return Optional.of(new DeltaEffect(wrap(removal.join(delta.build(), sameTag()))));
  }

  @Override
  final S applyTyped(S state, DeltaEffect effect, Dot entryDot) {
    return joinTyped(state, state(effect.delta()));
  }
}
