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

  @Override
  public Delivery delivery() {
    return Delivery.CAUSAL;
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

  /**
   * Folds with {@code stable} restricted to the regions this state has tags of: a region whose
   * entries never touched the key has none here and can send none below the stable vector, so
   * naming it would only make a small key's context larger (one vector entry per region).
   */
  @Override
  public final CrdtState fold(CrdtState state, VersionVector stable) {
    S typed = state(state);
    return foldTyped(typed, seenOnly(stable, observedTyped(typed)));
  }

  /**
   * The fold of a state nested in an or-map: as {@link #fold}, but the stable tags leave the nested
   * context instead of joining it. The map's own context keeps the stable prefix for the whole map
   * (it covers every tag of every field, whose updates all add a presence tag of the same entry),
   * so a field's context holds only its unstable tags, and two regions agree on a field whether or
   * not one of them folded it away and re-created it.
   */
  final CrdtState foldNested(CrdtState state, VersionVector stable) {
    return withoutStable(foldTyped(state(state), stable), Tags.stableTags(stable));
  }

  /** The state with the dots {@code stableTags} covers taken out of its own context. */
  final S withoutStable(CrdtState state, VersionVector stableTags) {
    S typed = state(state);
    return withOwnContextTyped(typed, withoutStable(ownContextTyped(typed), stableTags));
  }

  /** The state with {@code extra} added to its own context. */
  final S withMoreContext(CrdtState state, CausalContext extra) {
    S typed = state(state);
    return withOwnContextTyped(typed, Contexts.merge(ownContextTyped(typed), extra));
  }

  /** The context of the state itself, without those of states nested in it. */
  abstract CausalContext ownContextTyped(S state);

  abstract S withOwnContextTyped(S state, CausalContext context);

  /** {@code context} without the dots {@code stableTags} covers. */
  static CausalContext withoutStable(CausalContext context, VersionVector stableTags) {
    java.util.List<io.meridian.clocks.Dot> kept = new java.util.ArrayList<>();
    for (String replica : context.compactVector().replicas()) {
      if (context.compactVector().get(replica) > stableTags.get(replica)) {
        // Only a prefix beyond the stable one is kept; nested contexts never hold one in practice
        // (tags are not contiguous), so it is listed dot by dot only in that unusual case.
        for (long counter = stableTags.get(replica) + 1;
            counter <= context.compactVector().get(replica);
            counter++) {
          kept.add(new io.meridian.clocks.Dot(replica, counter));
        }
      }
    }
    for (io.meridian.clocks.Dot dot : context.cloud()) {
      if (!stableTags.contains(dot)) {
        kept.add(dot);
      }
    }
    return CausalContext.ofDots(kept);
  }

  static VersionVector seenOnly(VersionVector stable, CausalContext context) {
    java.util.Set<String> seen = new java.util.HashSet<>(context.compactVector().replicas());
    context.cloud().forEach(dot -> seen.add(dot.replica()));
    VersionVector restricted = VersionVector.empty();
    for (String replica : stable.replicas()) {
      if (seen.contains(replica)) {
        restricted = restricted.with(replica, stable.get(replica));
      }
    }
    return restricted;
  }

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
