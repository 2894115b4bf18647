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

  /**
   * One increment, or the sum of an origin's stable increments when {@code consolidated}. In an
   * or-map field an entry also keeps the HLC timestamp of its increment (of the newest one it sums
   * when consolidated) until it is summed, so the fold can tell the increments no remove can still
   * cut into (see {@link Type#foldNested}); 0 for a top-level counter and for states and effects of
   * format 2 and earlier.
   */
  record Entry(long amount, boolean consolidated, long hlc) {
    Entry(long amount, boolean consolidated) {
      this(amount, consolidated, 0);
    }
  }

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
   * @param hlc the HLC timestamp of the log entry when the counter is an or-map field's (its
   *     entries keep it until summed), else 0
   */
  public record Increment(String typeName, long amount, int ordinal, String operationId, long hlc)
      implements Effect {
    /** A top-level counter's increment: no timestamp. */
    public Increment(String typeName, long amount, int ordinal, String operationId) {
      this(typeName, amount, ordinal, operationId, 0);
    }

    /** This increment with the log entry's HLC timestamp, as an or-map field's counter keeps it. */
    Increment withHlc(long timestamp) {
      return new Increment(typeName, amount, ordinal, operationId, timestamp);
    }
  }

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
      DotStore<Entry> applied =
          state.store.withNewItem(tag, new Entry(effect.amount(), false, effect.hlc()), id);
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
      entries.put(tag, new Entry(effect.amount(), false, effect.hlc()));
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
     * In an or-map field a counter sums, per origin, only the stable increments that are <em>old
     * for the fold</em>: its HLC timestamp at most {@code h - T}, where {@code h} is the newest
     * timestamp among this counter's stable entries and {@code T} the context expiry ({@link
     * CrdtRegistry#contextExpiryHlc}). A field remove applied after this fold follows the entry of
     * timestamp {@code h} (the vector is settled, and the replication core's held-back
     * acknowledgement keeps a remove prepared without part of it from arriving after the fold), so
     * its own timestamp is above {@code h}, every summed increment is older than it by more than
     * {@code T}, and {@link OrMap} accepted the remove only if its context observed every such
     * increment: a remove takes a sum whole or not at all, alike at regions that summed and those
     * that did not. A younger stable increment stays one entry; a stable neutralised duplicate goes
     * (it counts zero, and its op id may go with this fold), and counts for {@code h} at no fold.
     * The sum keeps the newest timestamp it absorbed, so {@code h} is the same wherever the same
     * increments are held, whatever was summed before.
     */
    @Override
    CrdtState foldNested(CrdtState nested, VersionVector stable) {
      Counter state = state(nested);
      VersionVector stableTags = Tags.stableTags(stable);
      Set<Dot> duplicates = state.store.duplicateTags();
      long newest = Long.MIN_VALUE;
      for (Map.Entry<Dot, Entry> entry : state.store.entries().entrySet()) {
        Entry value = entry.getValue();
        if (stableTags.contains(entry.getKey())
            && (value.consolidated() || !duplicates.contains(entry.getKey()))) {
          newest = Math.max(newest, value.hlc());
        }
      }
      long expiry = CrdtRegistry.contextExpiryHlc();
      long oldAtMost = newest == Long.MIN_VALUE || newest < expiry ? -1 : newest - expiry;
      TreeMap<Dot, Entry> entries = new TreeMap<>();
      Map<String, Dot> lastOld = new HashMap<>();
      Map<String, long[]> oldSum = new HashMap<>();
      for (Map.Entry<Dot, Entry> entry : state.store.entries().entrySet()) {
        Dot tag = entry.getKey();
        Entry value = entry.getValue();
        if (!stableTags.contains(tag)) {
          entries.put(tag, value);
          continue;
        }
        if (!value.consolidated() && duplicates.contains(tag)) {
          continue;
        }
        if (value.hlc() <= oldAtMost) {
          long[] sum = oldSum.computeIfAbsent(tag.replica(), any -> new long[] {0, 0});
          sum[0] += value.amount();
          sum[1] = Math.max(sum[1], value.hlc());
          lastOld.merge(
              tag.replica(), tag, (left, right) -> left.compareTo(right) >= 0 ? left : right);
        } else {
          entries.put(tag, value);
        }
      }
      lastOld.forEach(
          (replica, tag) -> {
            long[] sum = oldSum.get(replica);
            entries.put(tag, new Entry(sum[0], true, sum[1]));
          });
      return wrap(state.store.withEntries(entries).fold(stable));
    }

    /**
     * The tags of this counter's entries (single or summed) whose HLC timestamp is below {@code
     * before}: what a field remove stamped {@code before + T} must have observed.
     */
    @Override
    void collectOldTags(CrdtState nested, long before, java.util.function.Consumer<Dot> tags) {
      state(nested)
          .store
          .entries()
          .forEach(
              (tag, entry) -> {
                if (entry.hlc() < before) {
                  tags.accept(tag);
                }
              });
    }

    @Override
    JsonNode valueTyped(Counter state) {
      return CanonicalJson.NODES.numberNode(state.value());
    }
  }
}
