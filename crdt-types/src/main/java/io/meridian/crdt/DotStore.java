package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;

/**
 * The one kernel of the delta-state types: a dot store (a map from tags to values) with its causal
 * context, after Almeida, Shoker and Baquero, "Delta state replicated data types" (2018), section
 * 6. An item is present while its tag is in the store; it is removed by a delta whose context holds
 * the tag and whose store does not, so removals leave no tombstone. The join keeps an item when
 * both sides hold it, or when one holds it and the other has not seen its tag.
 *
 * <p>The store also carries the operation ids of updates that asked for exactly-once (S4), keyed by
 * a tag of their own, so they join, and fold away, under the same rule.
 *
 * @param <V> the value an item's tag maps to (an element, a JSON text, an amount)
 */
final class DotStore<V> {
  private static final DotStore<?> EMPTY =
      new DotStore<>(
          Collections.emptySortedMap(), Collections.emptySortedMap(), CausalContext.empty());

  private final SortedMap<Dot, V> entries;
  private final SortedMap<Dot, String> operationIds;
  private final CausalContext context;

  DotStore(SortedMap<Dot, V> entries, SortedMap<Dot, String> operationIds, CausalContext context) {
    this.entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    this.operationIds = Collections.unmodifiableSortedMap(new TreeMap<>(operationIds));
    this.context = Objects.requireNonNull(context);
  }

  @SuppressWarnings("unchecked")
  static <V> DotStore<V> empty() {
    return (DotStore<V>) EMPTY;
  }

  SortedMap<Dot, V> entries() {
    return entries;
  }

  SortedMap<Dot, String> operationIds() {
    return operationIds;
  }

  CausalContext context() {
    return context;
  }

  boolean hasOperationId(String operationId) {
    return operationIds.containsValue(operationId);
  }

  /**
   * The join. {@code sameTag} combines the two values of a tag both sides hold; for most types they
   * are always equal and it returns either.
   */
  DotStore<V> join(DotStore<V> other, BinaryOperator<V> sameTag) {
    if (other == this) {
      return this;
    }
    return new DotStore<>(
        joinMaps(entries, context, other.entries, other.context, sameTag),
        joinMaps(operationIds, context, other.operationIds, other.context, (left, right) -> left),
        context.merge(other.context));
  }

  static <T> SortedMap<Dot, T> joinMaps(
      SortedMap<Dot, T> left,
      CausalContext leftContext,
      SortedMap<Dot, T> right,
      CausalContext rightContext,
      BinaryOperator<T> sameTag) {
    TreeMap<Dot, T> joined = new TreeMap<>();
    for (Map.Entry<Dot, T> entry : left.entrySet()) {
      T theirs = right.get(entry.getKey());
      if (theirs != null) {
        joined.put(entry.getKey(), sameTag.apply(entry.getValue(), theirs));
      } else if (!rightContext.contains(entry.getKey())) {
        joined.put(entry.getKey(), entry.getValue());
      }
    }
    for (Map.Entry<Dot, T> entry : right.entrySet()) {
      if (!left.containsKey(entry.getKey()) && !leftContext.contains(entry.getKey())) {
        joined.put(entry.getKey(), entry.getValue());
      }
    }
    return joined;
  }

  /** The delta that removes the items matching {@code which} whose tags {@code observed} holds. */
  DotStore<V> removalDelta(Predicate<V> which, CausalContext observed) {
    CausalContext removed = CausalContext.empty();
    for (Map.Entry<Dot, V> entry : entries.entrySet()) {
      if (which.test(entry.getValue()) && observed.contains(entry.getKey())) {
        removed = removed.add(entry.getKey());
      }
    }
    return new DotStore<>(Collections.emptySortedMap(), Collections.emptySortedMap(), removed);
  }

  /** This store without the items whose tags {@code observed} holds (applied, not a delta). */
  DotStore<V> withoutObserved(CausalContext observed) {
    // Operation ids stay: they must outlive the items they made, or a concurrent duplicate of a
    // removed update would stop being recognised as one.
    TreeMap<Dot, V> kept = new TreeMap<>();
    entries.forEach(
        (tag, value) -> {
          if (!observed.contains(tag)) {
            kept.put(tag, value);
          }
        });
    return withEntries(kept);
  }

  /**
   * Folds with a stable vector: the context absorbs every tag at or below it (each was delivered
   * everywhere, so nothing can still add it), and an operation id is dropped once all its tags (one
   * per region that applied it) are stable.
   */
  DotStore<V> fold(VersionVector stable) {
    VersionVector stableTags = Tags.stableTags(stable);
    java.util.Set<String> unsettled = new java.util.HashSet<>();
    operationIds.forEach(
        (tag, id) -> {
          if (!stableTags.contains(tag)) {
            unsettled.add(id);
          }
        });
    TreeMap<Dot, String> ids = new TreeMap<>();
    operationIds.forEach(
        (tag, id) -> {
          if (unsettled.contains(id)) {
            ids.put(tag, id);
          }
        });
    return new DotStore<>(entries, ids, context.merge(CausalContext.of(stableTags)));
  }

  /**
   * The tags of effects that repeated an operation id another effect already used: of the effects
   * of one id, all but the one with the smallest entry dot. Deterministic, so every region that has
   * both neutralises the same one (S4).
   */
  java.util.Set<Dot> duplicateTags() {
    // One effect may hold several tags of its id (all of one log entry); the effect of the
    // smallest entry dot wins, and every tag of the others is a duplicate.
    java.util.Map<String, Dot> first = new java.util.HashMap<>();
    for (Map.Entry<Dot, String> entry : operationIds.entrySet()) {
      first.merge(
          entry.getValue(),
          Tags.entryDot(entry.getKey()),
          (left, right) -> left.compareTo(right) <= 0 ? left : right);
    }
    java.util.Set<Dot> duplicates = new java.util.HashSet<>();
    for (Map.Entry<Dot, String> entry : operationIds.entrySet()) {
      if (!first.get(entry.getValue()).equals(Tags.entryDot(entry.getKey()))) {
        duplicates.add(entry.getKey());
      }
    }
    return duplicates;
  }

  DotStore<V> withEntries(SortedMap<Dot, V> newEntries) {
    return new DotStore<>(newEntries, operationIds, context);
  }

  /** Structural equality: same items, same ids, same context. */
  @Override
  public boolean equals(Object other) {
    return other instanceof DotStore<?> store
        && entries.equals(store.entries)
        && operationIds.equals(store.operationIds)
        && context.equals(store.context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(entries, operationIds, context);
  }

  @Override
  public String toString() {
    return "DotStore"
        + entries
        + (operationIds.isEmpty() ? "" : " ids" + operationIds)
        + " "
        + context;
  }
}
