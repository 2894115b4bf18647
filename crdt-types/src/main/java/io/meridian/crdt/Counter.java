package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operation-based counters, {@code g-counter} (amounts never negative) and {@code pn-counter}
 * (Shapiro et al., "A comprehensive study of convergent and commutative replicated data types",
 * 2011). An effect is just the signed amount (a few bytes); applied exactly once in causal order,
 * it becomes an entry under its tag. Entries that are stable fold into one entry per origin region,
 * so a quiet counter holds one number per region. An effect that repeats an operation id already
 * applied at another region is neutralised: everywhere, the one with the smaller tag counts (S4).
 * Immutable; {@code equals} is structural.
 */
final class Counter implements CrdtState {
  static final String G_COUNTER = "g-counter";
  static final String PN_COUNTER = "pn-counter";

  /** One increment, or the sum of an origin's stable increments when {@code consolidated}. */
  record Entry(long amount, boolean consolidated) {}

  private final String typeName;
  private final DotStore<Entry> store;

  /**
   * The value, once computed, or carried over from the state an increment was applied to; a
   * function of {@link #store}, not part of the state's value (equality and encoding ignore it).
   */
  private Long total;

  /**
   * Operation id to the smallest entry dot among its tags (the effect of the id that counts), built
   * on first need and carried over by applies; a function of {@link #store}, like {@link #total}.
   */
  private PersistentSortedMap<String, Dot> countingEntryDots;

  Counter(String typeName, DotStore<Entry> store) {
    this.typeName = typeName;
    this.store = Objects.requireNonNull(store);
  }

  private Counter(
      String typeName,
      DotStore<Entry> store,
      long total,
      PersistentSortedMap<String, Dot> countingEntryDots) {
    this(typeName, store);
    this.total = total;
    this.countingEntryDots = countingEntryDots;
  }

  DotStore<Entry> store() {
    return store;
  }

  /**
   * The counter's value: computed once per state from its entries, or carried over from the state
   * an increment was applied to, so O(1) along a run of applies.
   */
  public long value() {
    Long known = total;
    if (known == null) {
      known = sum(store);
      total = known;
    }
    return known;
  }

  /** The sum of the entries that count: consolidated ones, and increments not neutralised. */
  static long sum(DotStore<Entry> store) {
    Set<Dot> duplicates = store.duplicateTags();
    long sum = 0;
    for (Map.Entry<Dot, Entry> entry : store.entries().entrySet()) {
      if (entry.getValue().consolidated() || !duplicates.contains(entry.getKey())) {
        sum += entry.getValue().amount();
      }
    }
    return sum;
  }

  /** Operation id to the smallest entry dot among its tags, as {@link DotStore#duplicateTags}. */
  private PersistentSortedMap<String, Dot> countingEntryDots() {
    PersistentSortedMap<String, Dot> known = countingEntryDots;
    if (known == null) {
      TreeMap<String, Dot> first = new TreeMap<>();
      for (Map.Entry<Dot, String> entry : store.operationIds().entrySet()) {
        first.merge(
            entry.getValue(),
            Tags.entryDot(entry.getKey()),
            (left, right) -> left.compareTo(right) <= 0 ? left : right);
      }
      known = PersistentSortedMap.copyOf(first);
      countingEntryDots = known;
    }
    return known;
  }

  @Override
  public String typeName() {
    return typeName;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Counter counter
        && typeName.equals(counter.typeName)
        && store.equals(counter.store);
  }

  @Override
  public int hashCode() {
    return 31 * typeName.hashCode() + store.hashCode();
  }

  @Override
  public String toString() {
    return typeName + store;
  }

  /**
   * A counter's effect.
   *
   * @param typeName the counter type
   * @param amount the signed amount
   * @param ordinal the tag ordinal within the log entry
   * @param operationId the client's operation id, or null
   */
  public record Increment(String typeName, long amount, int ordinal, String operationId)
      implements Effect {}

  static final class Type extends DotStoreType<Entry, Counter, Increment> {
    Type(String name, int tag) {
      super(
          name,
          tag,
          Counter.class,
          Increment.class,
          Counter::store,
          dotStore -> new Counter(name, dotStore));
    }

    /** The consolidated value wins over the single increment it absorbed. */
    @Override
    java.util.function.BinaryOperator<Entry> sameTag() {
      return (left, right) -> left.consolidated() ? left : right;
    }

    @Override
    Optional<Increment> prepareTyped(Counter state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.Increment increment)) {
        throw JsonMapping.wrongOperation(name(), operation);
      }
      if (name().equals(G_COUNTER) && increment.amount() < 0) {
        throw new CrdtRequestException(ErrorCode.BAD_REQUEST, "a g-counter cannot be decremented");
      }
      try {
        Math.addExact(state.value(), increment.amount());
      } catch (ArithmeticException e) {
        throw new CrdtRequestException(
            ErrorCode.BAD_REQUEST, "the counter would overflow a 64-bit signed integer");
      }
      int ordinal = Tags.nextOrdinal(state.store.context(), context.dot());
      return Optional.of(
          new Increment(name(), increment.amount(), ordinal, context.recordedOperationId()));
    }

    /**
     * Inserts the increment's entry (and its op id) into the state's persistent maps and adds its
     * tag to the context, O(log n) map updates, and carries the value over: the result equals the
     * join with the increment's delta ({@link #applyByJoin}), which remains the path for a tag
     * already seen and for an increment that neutralises one already counted (an op id's copy with
     * a smaller entry dot).
     */
    @Override
    Counter applyTyped(Counter state, Increment effect, Dot entryDot) {
      Dot tag = Tags.of(entryDot, effect.ordinal());
      String id = effect.operationId();
      DotStore<Entry> applied = state.store.withNewItem(tag, new Entry(effect.amount(), false), id);
      if (applied == null) {
        return applyByJoin(state, effect, entryDot);
      }
      if (id == null) {
        return new Counter(
            name(), applied, state.value() + effect.amount(), state.countingEntryDots);
      }
      PersistentSortedMap<String, Dot> counting = state.countingEntryDots();
      Dot counted = counting.get(id);
      if (counted == null) {
        return new Counter(
            name(), applied, state.value() + effect.amount(), counting.plus(id, entryDot));
      }
      int order = entryDot.compareTo(counted);
      if (order == 0) {
        // Another tag of the effect that counts (one log entry may increment a key twice).
        return new Counter(name(), applied, state.value() + effect.amount(), counting);
      }
      if (order > 0) {
        // A neutralised duplicate: kept, counts zero.
        return new Counter(name(), applied, state.value(), counting);
      }
      // This copy wins and neutralises the one that counted: computed again when asked.
      return new Counter(name(), applied);
    }

    /** The general apply: the join of the state with the increment's delta. */
    Counter applyByJoin(Counter state, Increment effect, Dot entryDot) {
      Dot tag = Tags.of(entryDot, effect.ordinal());
      TreeMap<Dot, Entry> entries = new TreeMap<>();
      entries.put(tag, new Entry(effect.amount(), false));
      TreeMap<Dot, String> ids = new TreeMap<>();
      if (effect.operationId() != null) {
        ids.put(tag, effect.operationId());
      }
      DotStore<Entry> delta =
          new DotStore<>(entries, ids, io.meridian.clocks.CausalContext.ofDots(Set.of(tag)));
      return joinTyped(state, wrap(delta));
    }

    /**
     * Folds each origin's stable entries into one consolidated entry under the largest of their
     * tags; a stable neutralised duplicate folds in as zero. Needs a settled vector (see {@link
     * CrdtType#fold}): then every region folding the same origin prefix folds the same entries.
     */
    @Override
    Counter foldTyped(Counter state, VersionVector stable) {
      VersionVector stableTags = Tags.stableTags(stable);
      Set<Dot> duplicates = state.store.duplicateTags();
      TreeMap<Dot, Entry> entries = new TreeMap<>();
      Map<String, Dot> lastStable = new HashMap<>();
      Map<String, Long> stableSum = new HashMap<>();
      for (Map.Entry<Dot, Entry> entry : state.store.entries().entrySet()) {
        Dot tag = entry.getKey();
        if (!stableTags.contains(tag)) {
          entries.put(tag, entry.getValue());
          continue;
        }
        boolean counts = entry.getValue().consolidated() || !duplicates.contains(tag);
        stableSum.merge(tag.replica(), counts ? entry.getValue().amount() : 0L, Long::sum);
        lastStable.merge(
            tag.replica(), tag, (left, right) -> left.compareTo(right) >= 0 ? left : right);
      }
      lastStable.forEach(
          (replica, tag) -> entries.put(tag, new Entry(stableSum.get(replica), true)));
      return wrap(state.store.withEntries(entries).fold(stable));
    }

    /**
     * In an or-map field a counter does not consolidate: a remove whose client context was read
     * before this fold names single increments, and a region that had merged them into one entry
     * could only take all or none of them, so regions that folded and regions that had not would
     * remove different amounts (the replication simulator's seed 975 with contexts across folds).
     * Only what counts zero goes: stable neutralised duplicates and stable zero increments, whose
     * removal changes nothing. The cost is one entry per stable increment of a nested counter.
     */
    @Override
    CrdtState foldNested(CrdtState nested, VersionVector stable) {
      Counter state = state(nested);
      VersionVector stableTags = Tags.stableTags(stable);
      Set<Dot> duplicates = state.store.duplicateTags();
      TreeMap<Dot, Entry> entries = new TreeMap<>();
      for (Map.Entry<Dot, Entry> entry : state.store.entries().entrySet()) {
        Dot tag = entry.getKey();
        boolean counts = entry.getValue().consolidated() || !duplicates.contains(tag);
        if (!stableTags.contains(tag) || (counts && entry.getValue().amount() != 0)) {
          entries.put(tag, entry.getValue());
        }
      }
      return wrap(state.store.withEntries(entries).fold(stable));
    }

    @Override
    JsonNode valueTyped(Counter state) {
      return CanonicalJson.NODES.numberNode(state.value());
    }
  }
}
