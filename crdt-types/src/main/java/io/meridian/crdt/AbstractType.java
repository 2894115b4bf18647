package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.Optional;

/**
 * The typed base of every {@link CrdtType}: checks the classes of what callers pass and adds the
 * two operations the or-map needs from the types it nests.
 */
abstract class AbstractType<S extends CrdtState, E extends Effect> implements CrdtType {
  private final String name;
  private final int tag;
  private final Class<S> stateClass;
  private final Class<E> effectClass;

  AbstractType(String name, int tag, Class<S> stateClass, Class<E> effectClass) {
    this.name = name;
    this.tag = tag;
    this.stateClass = stateClass;
    this.effectClass = effectClass;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final int tag() {
    return tag;
  }

  abstract Optional<E> prepareTyped(S state, Operation operation, UpdateContext context);

  abstract S applyTyped(S state, E effect, Dot entryDot);

  abstract S joinTyped(S left, S right);

  abstract S foldTyped(S state, VersionVector stable);

  abstract JsonNode valueTyped(S state);

  abstract CausalContext observedTyped(S state);

  /**
   * This state without what {@code observed} holds: how an or-map removes a field. {@code
   * removalDot} is the removing entry's dot, for types that mark rather than drop.
   */
  abstract S removeObservedTyped(S state, CausalContext observed, Dot removalDot);

  /** True when the state holds nothing an update made (what a removed map field looks like). */
  abstract boolean isEmptyTyped(S state);

  @Override
  public final CrdtState empty() {
    return emptyTyped();
  }

  abstract S emptyTyped();

  @Override
  public final Optional<Effect> prepare(
      CrdtState state, Operation operation, UpdateContext context) {
    if (!operation.typeName().equals(name)) {
      throw new CrdtRequestException(
          ErrorCode.TYPE_MISMATCH,
          "the key holds a " + name + ", the update is for a " + operation.typeName());
    }
    return prepareTyped(state(state), operation, context).map(effect -> effect);
  }

  @Override
  public final CrdtState apply(CrdtState state, Effect effect, Dot entryDot) {
    if (!effectClass.isInstance(effect) || !effect.typeName().equals(name)) {
      throw new IllegalArgumentException("not a " + name + " effect: " + effect);
    }
    return applyTyped(state(state), effectClass.cast(effect), entryDot);
  }

  @Override
  public final CrdtState join(CrdtState left, CrdtState right) {
    return joinTyped(state(left), state(right));
  }

  @Override
  public final CrdtState fold(CrdtState state, VersionVector stable) {
    return foldTyped(state(state), stable);
  }

  /**
   * Folds a state held in an or-map field. A field can be removed by a client context read before
   * the fold, which names single tags; so a nested state must keep every tag such a remove could
   * still name apart (the counters do not consolidate there). The other types fold as they do at
   * the top.
   */
  CrdtState foldNested(CrdtState state, VersionVector stable) {
    return fold(state, stable);
  }

  /**
   * Passes to {@code tags} the tags of the entries of a nested state whose HLC timestamp is known
   * and below {@code before}: the entries a field remove must have observed to be accepted (see
   * {@link OrMap}). Only the types whose fold sums old entries keep timestamps; the others pass
   * nothing.
   */
  void collectOldTags(CrdtState state, long before, java.util.function.Consumer<Dot> tags) {}

  @Override
  public final JsonNode value(CrdtState state) {
    return valueTyped(state(state));
  }

  @Override
  public final CausalContext observedContext(CrdtState state) {
    return observedTyped(state(state));
  }

  final CrdtState removeObserved(CrdtState state, CausalContext observed, Dot removalDot) {
    return removeObservedTyped(state(state), observed, removalDot);
  }

  final boolean isEmpty(CrdtState state) {
    return isEmptyTyped(state(state));
  }

  final S state(CrdtState state) {
    if (!stateClass.isInstance(state)) {
      throw new IllegalArgumentException("not a " + name + " state: " + state);
    }
    return stateClass.cast(state);
  }

  static CausalContext observedOrCurrent(UpdateContext context, CausalContext current) {
    return context.observed() == null ? current : context.observed();
  }

  @Override
  public String toString() {
    return name;
  }
}
