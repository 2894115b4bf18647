package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
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
 * a tag of their own, so they join, and fold away, under the same rule; and the client marks: once
 * every tag of a client sequence's id is stable, the fold raises the client's mark to it instead of
 * forgetting it (see {@link ClientSequence}).
 *
 * @param <V> the value an item's tag maps to (an element, a JSON text, an amount)
 */
final class DotStore<V> {
  /** A delta with at most this many items and context dots joins by point updates. */
  static final int POINT_JOIN_ITEMS_MAX = 64;

  private static final DotStore<?> EMPTY =
      new DotStore<>(
          PersistentSortedMap.<Dot, Object>empty(),
          PersistentSortedMap.<Dot, String>empty(),
          CausalContext.empty());

  private final PersistentSortedMap<Dot, V> entries;
  private final PersistentSortedMap<Dot, String> operationIds;
  private final CausalContext context;
  private final ClientMarks marks;

  /**
   * Value to tags, built on first use by {@link #tagsOf} and carried along by point joins; not part
   * of the value (a cache of a function of {@link #entries}).
   */
  private PersistentSortedMap<V, Dot[]> byValue;

  /** A store without client marks: a delta, or a state nested in an or-map field. */
  DotStore(SortedMap<Dot, V> entries, SortedMap<Dot, String> operationIds, CausalContext context) {
    this(entries, operationIds, context, ClientMarks.empty());
  }

  DotStore(
      SortedMap<Dot, V> entries,
      SortedMap<Dot, String> operationIds,
      CausalContext context,
      ClientMarks marks) {
    this.entries = PersistentSortedMap.copyOf(entries);
    this.operationIds = PersistentSortedMap.copyOf(operationIds);
    this.context = Objects.requireNonNull(context);
    this.marks = Objects.requireNonNull(marks);
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

  ClientMarks marks() {
    return marks;
  }

  /** True when the update of {@code update} was applied before: prepare nothing (S4). */
  boolean applied(UpdateContext update) {
    return applied(operationIds, marks, update);
  }

  /**
   * True when {@code ids} or {@code marks} show that the update of {@code update} was applied
   * before. An operation id counts wherever it is. A client sequence counts when a mark covers it
   * or when it is kept under a tag of another log entry: one batch carries one client sequence and
   * may update a key twice, and its second update of the key is not a retry of its first.
   */
  static boolean applied(SortedMap<Dot, String> ids, ClientMarks marks, UpdateContext update) {
    if (update.operationId() != null) {
      return ids.containsValue(update.operationId());
    }
    ClientSequence client = update.clientSequence();
    if (client == null) {
      return false;
    }
    if (marks.covers(client)) {
      return true;
    }
    String id = client.operationId();
    for (Map.Entry<Dot, String> entry : ids.entrySet()) {
      if (entry.getValue().equals(id) && !Tags.isOf(entry.getKey(), update.dot())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The tags that map to {@code value}, ascending, in O(log n) once the index is built (values must
   * be {@link Comparable}: elements, field names).
   */
  List<Dot> tagsOf(V value) {
    if (entries.isEmpty()) {
      // Also keeps the index off the shared empty store, whose value type is anyone's.
      return List.of();
    }
    Dot[] tags = index().get(value);
    return tags == null ? List.of() : List.of(tags);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private PersistentSortedMap<V, Dot[]> index() {
    PersistentSortedMap<V, Dot[]> index = byValue;
    if (index == null) {
      TreeMap<V, List<Dot>> grouped = new TreeMap<>();
      entries.forEach(
          (tag, value) -> grouped.computeIfAbsent(value, any -> new ArrayList<>()).add(tag));
      PersistentSortedMap<V, Dot[]> built =
          PersistentSortedMap.empty((Comparator<? super V>) (Comparator) Comparator.naturalOrder());
      for (Map.Entry<V, List<Dot>> entry : grouped.entrySet()) {
        built = built.plus(entry.getKey(), entry.getValue().toArray(new Dot[0]));
      }
      index = built;
      byValue = index;
    }
    return index;
  }

  /**
   * The join. {@code sameTag} combines the two values of a tag both sides hold; for most types they
   * are always equal and it returns either. A small side (a delta) is joined into the large one by
   * point updates, O(k log n); two large sides by one ordered walk over both, O(n + m).
   */
  DotStore<V> join(DotStore<V> other, BinaryOperator<V> sameTag) {
    if (other == this) {
      return this;
    }
    if (other.isSmall()) {
      return absorb(other, sameTag);
    }
    if (isSmall()) {
      return other.absorb(this, (left, right) -> sameTag.apply(right, left));
    }
    return new DotStore<>(
        joinMaps(entries, context, other.entries, other.context, sameTag),
        joinMaps(operationIds, context, other.operationIds, other.context, (left, right) -> left),
        context.merge(other.context),
        marks.join(other.marks));
  }

  private boolean isSmall() {
    return context.compactVector().isEmpty()
        && entries.size() + operationIds.size() + context.cloud().size() <= POINT_JOIN_ITEMS_MAX;
  }

  /** Joins a small store (its context has no compact vector) into this one by point updates. */
  private DotStore<V> absorb(DotStore<V> delta, BinaryOperator<V> sameTag) {
    PersistentSortedMap<V, Dot[]> index = byValue;
    PersistentSortedMap<Dot, V> joined = entries;
    for (Map.Entry<Dot, V> entry : delta.entries.entrySet()) {
      Dot tag = entry.getKey();
      V mine = joined.get(tag);
      if (mine != null) {
        V combined = sameTag.apply(mine, entry.getValue());
        if (!combined.equals(mine)) {
          joined = joined.plus(tag, combined);
          index = unindex(index, mine, tag);
          index = reindex(index, combined, tag);
        }
      } else if (!context.contains(tag)) {
        joined = joined.plus(tag, entry.getValue());
        index = reindex(index, entry.getValue(), tag);
      }
    }
    PersistentSortedMap<Dot, String> ids = operationIds;
    for (Map.Entry<Dot, String> entry : delta.operationIds.entrySet()) {
      if (!ids.containsKey(entry.getKey()) && !context.contains(entry.getKey())) {
        ids = ids.plus(entry.getKey(), entry.getValue());
      }
    }
    for (Dot seen : delta.context.cloud()) {
      V mine = joined.get(seen);
      if (mine != null && !delta.entries.containsKey(seen)) {
        joined = joined.minus(seen);
        index = unindex(index, mine, seen);
      }
      if (ids.containsKey(seen) && !delta.operationIds.containsKey(seen)) {
        ids = ids.minus(seen);
      }
    }
    DotStore<V> result =
        new DotStore<>(joined, ids, context.merge(delta.context), marks.join(delta.marks));
    result.byValue = index;
    return result;
  }

  /**
   * This store joined with the delta of one new item: {@code tag -> value}, with {@code
   * operationId} under the same tag when not null, and the context {@code {tag}}; or null when the
   * store has already seen {@code tag}, and the caller must join the delta instead. Equal to that
   * join, without building the delta: O(log n) map updates and one dot added to the context.
   */
  DotStore<V> withNewItem(Dot tag, V value, String operationId) {
    if (context.contains(tag) || entries.containsKey(tag) || operationIds.containsKey(tag)) {
      return null;
    }
    PersistentSortedMap<Dot, String> ids =
        operationId == null ? operationIds : operationIds.plus(tag, operationId);
    DotStore<V> result = new DotStore<>(entries.plus(tag, value), ids, context.add(tag), marks);
    result.byValue = reindex(byValue, value, tag);
    return result;
  }

  private static <V> PersistentSortedMap<V, Dot[]> reindex(
      PersistentSortedMap<V, Dot[]> index, V value, Dot tag) {
    if (index == null) {
      return null;
    }
    Dot[] tags = index.get(value);
    if (tags == null) {
      return index.plus(value, new Dot[] {tag});
    }
    Dot[] more = Arrays.copyOf(tags, tags.length + 1);
    more[tags.length] = tag;
    Arrays.sort(more);
    return index.plus(value, more);
  }

  private static <V> PersistentSortedMap<V, Dot[]> unindex(
      PersistentSortedMap<V, Dot[]> index, V value, Dot tag) {
    if (index == null) {
      return null;
    }
    Dot[] tags = index.get(value);
    if (tags == null) {
      return index;
    }
    Dot[] fewer = Arrays.stream(tags).filter(each -> !each.equals(tag)).toArray(Dot[]::new);
    return fewer.length == 0 ? index.minus(value) : index.plus(value, fewer);
  }

  /** The join of two tag maps by one ordered walk over both. */
  static <T> SortedMap<Dot, T> joinMaps(
      SortedMap<Dot, T> left,
      CausalContext leftContext,
      SortedMap<Dot, T> right,
      CausalContext rightContext,
      BinaryOperator<T> sameTag) {
    List<Dot> tags = new ArrayList<>(left.size() + right.size());
    List<T> values = new ArrayList<>(left.size() + right.size());
    Iterator<Map.Entry<Dot, T>> mine = left.entrySet().iterator();
    Iterator<Map.Entry<Dot, T>> theirs = right.entrySet().iterator();
    AscendingLookup leftSeen = new AscendingLookup(leftContext);
    AscendingLookup rightSeen = new AscendingLookup(rightContext);
    Map.Entry<Dot, T> a = mine.hasNext() ? mine.next() : null;
    Map.Entry<Dot, T> b = theirs.hasNext() ? theirs.next() : null;
    while (a != null || b != null) {
      int comparison = a == null ? 1 : b == null ? -1 : a.getKey().compareTo(b.getKey());
      if (comparison == 0) {
        tags.add(a.getKey());
        values.add(sameTag.apply(a.getValue(), b.getValue()));
      } else if (comparison < 0 && !rightSeen.contains(a.getKey())) {
        tags.add(a.getKey());
        values.add(a.getValue());
      } else if (comparison > 0 && !leftSeen.contains(b.getKey())) {
        tags.add(b.getKey());
        values.add(b.getValue());
      }
      if (comparison <= 0) {
        a = mine.hasNext() ? mine.next() : null;
      }
      if (comparison >= 0) {
        b = theirs.hasNext() ? theirs.next() : null;
      }
    }
    return PersistentSortedMap.fromSorted(null, tags, values);
  }

  /**
   * Membership in a context for dots asked in ascending order: one pass over the cloud in all,
   * instead of a binary search per dot.
   */
  private static final class AscendingLookup {
    private final CausalContext context;
    private final Iterator<Dot> cloud;
    private Dot next;

    AscendingLookup(CausalContext context) {
      this.context = context;
      this.cloud = context.cloud().iterator();
      this.next = cloud.hasNext() ? cloud.next() : null;
    }

    boolean contains(Dot dot) {
      if (context.compactVector().contains(dot)) {
        return true;
      }
      while (next != null && next.compareTo(dot) < 0) {
        next = cloud.hasNext() ? cloud.next() : null;
      }
      return next != null && next.equals(dot);
    }
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

  /** The delta that removes the observed tags of each of {@code values}, found by the index. */
  DotStore<V> removalDeltaOf(Collection<V> values, CausalContext observed) {
    List<Dot> removed = new ArrayList<>();
    for (V value : values) {
      for (Dot tag : tagsOf(value)) {
        if (observed.contains(tag)) {
          removed.add(tag);
        }
      }
    }
    return new DotStore<>(
        Collections.emptySortedMap(), Collections.emptySortedMap(), CausalContext.ofDots(removed));
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
   * per region that applied it) are stable; a client sequence's id raises its client's mark as it
   * goes. With a settled vector no copy of it can still arrive, and a copy prepared later is
   * prepared where the id or the mark is already kept, so the mark takes over from the id.
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
    ClientMarks raised = marks;
    for (Map.Entry<Dot, String> entry : operationIds.entrySet()) {
      if (unsettled.contains(entry.getValue())) {
        ids.put(entry.getKey(), entry.getValue());
        continue;
      }
      ClientSequence client = ClientSequence.fromOperationId(entry.getValue());
      if (client != null) {
        raised = raised.raised(client);
      }
    }
    DotStore<V> folded =
        new DotStore<>(entries, ids, context.merge(CausalContext.of(seenOnly(stableTags))), raised);
    folded.byValue = byValue;
    return folded;
  }

  /**
   * {@code stableTags} for the replicas this context has tags of. A replica whose entries never
   * touched this key has no tags here, and none can arrive below the stable vector, so naming it
   * would only make a small key's context larger (one vector entry per region).
   */
  private VersionVector seenOnly(VersionVector stableTags) {
    java.util.Set<String> seen = new java.util.HashSet<>(context.compactVector().replicas());
    context.cloud().forEach(dot -> seen.add(dot.replica()));
    VersionVector restricted = VersionVector.empty();
    for (String replica : stableTags.replicas()) {
      if (seen.contains(replica)) {
        restricted = restricted.with(replica, stableTags.get(replica));
      }
    }
    return restricted;
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
    return new DotStore<>(newEntries, operationIds, context, marks);
  }

  /** Structural equality: same items, same ids, same context, same marks. */
  @Override
  public boolean equals(Object other) {
    return other instanceof DotStore<?> store
        && entries.equals(store.entries)
        && operationIds.equals(store.operationIds)
        && context.equals(store.context)
        && marks.equals(store.marks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(entries, operationIds, context, marks);
  }

  @Override
  public String toString() {
    return "DotStore"
        + entries
        + (operationIds.isEmpty() ? "" : " ids" + operationIds)
        + " "
        + context
        + (marks.isEmpty() ? "" : " " + marks);
  }
}
