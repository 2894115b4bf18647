package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The shared half of every type built on the {@link DotStore} kernel: join, fold, observed context
 * and observed removal are the kernel's; a type adds its mutators and its value.
 */
abstract class DotStoreType<V, S extends CrdtState, E extends Effect> extends AbstractType<S, E> {
  private final Function<S, DotStore<V>> store;
  private final Function<DotStore<V>, S> wrap;

  DotStoreType(
      String name,
      int tag,
      Class<S> stateClass,
      Class<E> effectClass,
      Function<S, DotStore<V>> store,
      Function<DotStore<V>, S> wrap) {
    super(name, tag, stateClass, effectClass);
    this.store = store;
    this.wrap = wrap;
  }

  /** Combines the two values of a tag both sides hold; they are equal unless a type says not. */
  BinaryOperator<V> sameTag() {
    return (left, right) -> left;
  }

  final DotStore<V> store(S state) {
    return store.apply(state);
  }

  final S wrap(DotStore<V> dotStore) {
    return wrap.apply(dotStore);
  }

  /** True when the update carries an op id this state already applied (S4): prepare nothing. */
  final boolean alreadyApplied(S state, UpdateContext context) {
    return store(state).applied(context);
  }

  @Override
  S emptyTyped() {
    return wrap(DotStore.empty());
  }

  @Override
  S joinTyped(S left, S right) {
    return wrap(store(left).join(store(right), sameTag()));
  }

  @Override
  S foldTyped(S state, VersionVector stable) {
    return wrap(store(state).fold(stable));
  }

  @Override
  CausalContext observedTyped(S state) {
    return store(state).context();
  }

  @Override
  S removeObservedTyped(S state, CausalContext observed, Dot removalDot) {
    return wrap(store(state).withoutObserved(observed));
  }

  @Override
  boolean isEmptyTyped(S state) {
    return store(state).entries().isEmpty();
  }
}
