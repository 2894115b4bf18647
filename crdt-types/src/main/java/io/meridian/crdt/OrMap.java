package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The observed-remove map: fields hold a state of any type, or-maps included, nested to a bounded
 * depth (Almeida, Shoker and Baquero, 2018, section 6.4). Every update of a field adds a presence
 * tag; a remove drops the presence tags it observed and removes what it observed inside the field,
 * so an update concurrent with the remove survives (the update wins), and a field added again shows
 * only what came after the remove.
 *
 * <p>A field holds one nested state per type its updates used, each under its own presence tags: a
 * field shows the type with the smallest protobuf tag among its present updates (so when two
 * regions first update one field with different types at once, the smaller tag shows everywhere),
 * and an update of another type is kept, not discarded, so it shows if the remove takes the other.
 *
 * <p>As in the paper, the nested states share the map's causal context: a nested state's own
 * context keeps only what lies beyond the map's folded prefix (the compact vector of the presence
 * context, which covers every stable tag of every field), and the prefix is put back before a
 * nested state is prepared, applied, joined or folded. So a nested state that holds nothing is
 * exactly the empty state, and the map keeps no field for it: a removed field costs nothing once
 * its tags are stable, whatever this region folded before, and a region that dropped it and one
 * that has not yet agree on every later update, join and fold. Immutable; {@code equals} is
 * structural.
 */
final class OrMap implements CrdtState {
  static final String NAME = "or-map";

  /**
   * A field's name and the protobuf tag of the type one of its nested states has; ordered by name,
   * then type tag.
   */
  record FieldKey(String name, int typeTag) implements Comparable<FieldKey> {
    FieldKey {
      Objects.requireNonNull(name);
    }

    @Override
    public int compareTo(FieldKey other) {
      int byName = name.compareTo(other.name);
      return byName != 0 ? byName : Integer.compare(typeTag, other.typeTag);
    }
  }

  private final DotStore<FieldKey> presence;
  private final SortedMap<FieldKey, CrdtState> fields;

  OrMap(DotStore<FieldKey> presence, SortedMap<FieldKey, CrdtState> fields) {
    this.presence = Objects.requireNonNull(presence);
    this.fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  DotStore<FieldKey> presence() {
    return presence;
  }

  /** Every nested state, by field and type, with its context beyond the map's folded prefix. */
  SortedMap<FieldKey, CrdtState> fields() {
    return fields;
  }

  /**
   * The fields shown, in name order, with the state of the type each shows. A nested state's own
   * context leaves out the map's folded prefix; the map's {@code observedContext} is the whole one.
   */
  public SortedMap<String, CrdtState> visibleFields() {
    TreeMap<String, CrdtState> visible = new TreeMap<>();
    visibleKeys().forEach((name, key) -> visible.put(name, fields.get(key)));
    return visible;
  }

  /** Per shown field, the key of the type it shows: the smallest type tag of a present update. */
  private SortedMap<String, FieldKey> visibleKeys() {
    java.util.Set<Dot> duplicates = presence.duplicateTags();
    TreeMap<String, FieldKey> shown = new TreeMap<>();
    presence
        .entries()
        .forEach(
            (tag, key) -> {
              if (!duplicates.contains(tag)) {
                shown.merge(
                    key.name(), key, (left, right) -> left.compareTo(right) <= 0 ? left : right);
              }
            });
    return shown;
  }

  /** The folded prefix: the tags every nested state's context is taken to hold besides its own. */
  private VersionVector prefix() {
    return prefixOf(presence);
  }

  /**
   * The whole log entries at the start of the presence context's compact vector. The compact vector
   * itself can reach one tag into the next entry (a fold leaves it at an entry's last ordinal, and
   * the next entry's first presence tag is contiguous with it), but a nested state numbers its tags
   * apart from the presence, so that tag may name an item of the same entry still to be applied to
   * another field; only whole entries are known to be seen by every field.
   */
  static VersionVector prefixOf(DotStore<FieldKey> presence) {
    VersionVector compact = presence.context().compactVector();
    VersionVector whole = VersionVector.empty();
    for (String replica : compact.replicas()) {
      // The first sequence whose tags the vector does not all cover; the whole ones end below it.
      long firstPartial = (compact.get(replica) + 1) >>> Tags.ORDINAL_BITS;
      if (firstPartial > 0) {
        whole = whole.with(replica, (firstPartial << Tags.ORDINAL_BITS) - 1);
      }
    }
    return whole;
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OrMap map && presence.equals(map.presence) && fields.equals(map.fields);
  }

  @Override
  public int hashCode() {
    return 31 * presence.hashCode() + fields.hashCode();
  }

  @Override
  public String toString() {
    return NAME + presence + fields;
  }

  /**
   * One field's part of a map effect: a nested effect, or the context a removal observed.
   *
   * @param field the field name
   * @param update the nested effect, or null for a removal
   * @param removal the observed context of a removal, or null for an update
   */
  public record FieldChange(String field, Effect update, CausalContext removal) {}

  /**
   * A map's effect.
   *
   * @param changes the field changes, in field order
   * @param ordinal the first tag ordinal the effect uses within its log entry
   * @param operationId the client's operation id, or null
   */
  public record MapEffect(List<FieldChange> changes, int ordinal, String operationId)
      implements Effect {
    public MapEffect {
      changes = List.copyOf(changes);
    }

    @Override
    public String typeName() {
      return NAME;
    }
  }

  static final class Type extends AbstractType<OrMap, MapEffect> {
    Type() {
      super(NAME, 9, OrMap.class, MapEffect.class);
    }

    @Override
    OrMap emptyTyped() {
      return new OrMap(DotStore.empty(), new TreeMap<>());
    }

    @Override
    Optional<MapEffect> prepareTyped(OrMap state, Operation operation, UpdateContext context) {
      if (state.presence.applied(context)) {
        return Optional.empty();
      }
      int ordinal = Tags.nextOrdinal(state.presence.context(), context.dot());
      // The op id goes down too, so a nested operation-based field neutralises a concurrent
      // duplicate the way a top-level one does.
      UpdateContext nested = context;
      List<FieldChange> changes = new ArrayList<>();
      if (operation instanceof Operation.UpdateFields update) {
        SortedMap<String, FieldKey> shown = state.visibleKeys();
        for (Map.Entry<String, Operation> entry : new TreeMap<>(update.entries()).entrySet()) {
          AbstractType<?, ?> type = CrdtRegistry.internalType(entry.getValue().typeName());
          FieldKey current = shown.get(entry.getKey());
          if (current != null && current.typeTag() != type.tag()) {
            throw new CrdtRequestException(
                ErrorCode.TYPE_MISMATCH,
                "field "
                    + entry.getKey()
                    + " holds a "
                    + CrdtRegistry.typeByTag(current.typeTag()).name()
                    + ", not a "
                    + type.name());
          }
          CrdtState base =
              nested(state.fields, new FieldKey(entry.getKey(), type.tag()), state.prefix());
          Optional<Effect> effect = type.prepare(base, entry.getValue(), nested);
          effect.ifPresent(
              nestedEffect ->
                  changes.add(
                      new FieldChange(
                          entry.getKey(), stamped(nestedEffect, context.hlcTimestamp()), null)));
        }
      } else if (operation instanceof Operation.RemoveFields remove) {
        // A client's context may name tags of entries this region has not applied yet. Those
        // entries are not causally before the remove, so each region would apply them on the
        // other side of it: the remove would take them away where they came first and leave them
        // where they came later (the fields share one presence context, so the removal cannot
        // simply remember the tags it names). The remove takes only what this region holds, which
        // every region holds too when it applies the remove.
        CausalContext current = observedTyped(state);
        CausalContext observed =
            context.observed() == null ? current : Contexts.intersect(context.observed(), current);
        if (context.observed() != null) {
          observed = requireOldObserved(state, remove.fields(), context.hlcTimestamp(), observed);
        }
        for (String field : new TreeSet<>(remove.fields())) {
          changes.add(new FieldChange(field, null, observed));
        }
      } else {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      return Optional.of(new MapEffect(changes, ordinal, context.recordedOperationId()));
    }

    /**
     * A field's counter keeps its increments' timestamps (its entries sum them once old, see {@link
     * Counter.Type#foldNested}); a nested map stamps its own fields as it prepares them.
     */
    private static Effect stamped(Effect effect, long hlc) {
      return effect instanceof Counter.Increment increment ? increment.withHlc(hlc) : effect;
    }

    /**
     * The context a field remove stamped {@code hlc} takes, once checked: every entry of the named
     * fields older than {@code hlc - T} (by the timestamps nested counters keep) must be in {@code
     * observed}, or the remove is refused ({@code context_expired}), since a region may have summed
     * such entries and can only take a sum whole. An accepted context is widened, per origin, to
     * every tag up to its newest old one: a read's context already holds them (it observed that
     * entry, so every earlier entry of its origin), and a context that does not (made up, not read)
     * must still take a sum and its parts alike everywhere. Widened to whole log entries: an
     * entry's tags share its timestamp, and the field's presence tags of summed increments are
     * collapsed as their sums are ({@link #collapseSummedPresence}).
     */
    private static CausalContext requireOldObserved(
        OrMap state, java.util.Collection<String> fields, long hlc, CausalContext observed) {
      long before = hlc - CrdtRegistry.contextExpiryHlc();
      if (before <= 0) {
        return observed;
      }
      java.util.Map<String, Long> newestOld = new java.util.HashMap<>();
      List<Dot> missed = new ArrayList<>();
      for (String field : new TreeSet<>(fields)) {
        for (FieldKey key : keysOf(state.fields, field)) {
          CrdtState nested = state.fields.get(key);
          CrdtRegistry.internalType(nested.typeName())
              .collectOldTags(
                  nested,
                  before,
                  tag -> {
                    if (!observed.contains(tag)) {
                      missed.add(tag);
                    }
                    // The whole entry: its other tags (the field's presence) are as old.
                    long wholeEntry =
                        Tags.of(Tags.entryDot(tag), Tags.ORDINALS_PER_DOT_MAX - 1).counter();
                    newestOld.merge(tag.replica(), wholeEntry, Math::max);
                  });
        }
      }
      if (!missed.isEmpty()) {
        throw new CrdtRequestException(
            ErrorCode.CONTEXT_EXPIRED,
            "the context misses updates of the fields made more than "
                + CrdtRegistry.contextExpiryMillis()
                + " ms before this remove; read again and retry with the new context");
      }
      VersionVector widened = VersionVector.empty();
      for (Map.Entry<String, Long> entry : newestOld.entrySet()) {
        widened = widened.with(entry.getKey(), entry.getValue());
      }
      return widened.isEmpty() ? observed : observed.merge(CausalContext.of(widened));
    }

    @Override
    void collectOldTags(CrdtState nested, long before, java.util.function.Consumer<Dot> tags) {
      for (CrdtState field : state(nested).fields.values()) {
        CrdtRegistry.internalType(field.typeName()).collectOldTags(field, before, tags);
      }
    }

    @Override
    OrMap applyTyped(OrMap state, MapEffect effect, Dot entryDot) {
      Dot first = Tags.of(entryDot, effect.ordinal());
      if (state.presence.context().contains(first)) {
        return state;
      }
      VersionVector prefix = state.prefix();
      TreeMap<FieldKey, CrdtState> fields = new TreeMap<>(state.fields);
      TreeMap<Dot, FieldKey> added = new TreeMap<>();
      TreeMap<Dot, String> ids = new TreeMap<>();
      CausalContext seen = CausalContext.empty();
      int ordinal = effect.ordinal();
      DotStore<FieldKey> presence = state.presence;
      for (FieldChange change : effect.changes()) {
        if (change.update() != null) {
          AbstractType<?, ?> type = CrdtRegistry.internalType(change.update().typeName());
          FieldKey key = new FieldKey(change.field(), type.tag());
          Dot tag = Tags.of(entryDot, ordinal++);
          added.put(tag, key);
          seen = seen.add(tag);
          if (effect.operationId() != null) {
            // So that a neutralised duplicate does not show the field either.
            ids.put(tag, effect.operationId());
          }
          CrdtState applied = type.apply(nested(fields, key, prefix), change.update(), entryDot);
          fields.put(key, withoutPrefix(applied, prefix));
        } else {
          List<FieldKey> keys = new ArrayList<>(keysOf(fields, change.field()));
          for (FieldKey key : keys) {
            CrdtState current = fields.get(key);
            fields.put(
                key,
                CrdtRegistry.internalType(current.typeName())
                    .removeObserved(current, change.removal(), entryDot));
          }
          presence =
              presence.join(
                  presence.removalDeltaOf(keysOf(presence, change.field()), change.removal()),
                  (left, right) -> left);
        }
      }
      if (effect.operationId() != null) {
        Dot idTag = Tags.of(entryDot, ordinal);
        ids.put(idTag, effect.operationId());
        seen = seen.add(idTag);
      }
      seen = seen.add(first);
      presence = presence.join(new DotStore<>(added, ids, seen), (left, right) -> left);
      // Should the new presence tags have completed an entry at the prefix's end, the prefix
      // grew and normalized strips every nested context again.
      return normalized(presence, fields, prefix);
    }

    /** The keys of {@code field}'s nested states in {@code fields}. */
    private static java.util.Collection<FieldKey> keysOf(
        SortedMap<FieldKey, CrdtState> fields, String field) {
      return fields
          .subMap(new FieldKey(field, Integer.MIN_VALUE), new FieldKey(field, Integer.MAX_VALUE))
          .keySet();
    }

    /** The keys of {@code field} that have presence tags. */
    private static List<FieldKey> keysOf(DotStore<FieldKey> presence, String field) {
      List<FieldKey> keys = new ArrayList<>();
      for (CrdtType type : CrdtRegistry.types()) {
        FieldKey key = new FieldKey(field, type.tag());
        if (!presence.tagsOf(key).isEmpty()) {
          keys.add(key);
        }
      }
      return keys;
    }

    @Override
    OrMap joinTyped(OrMap left, OrMap right) {
      if (left == right) {
        return left;
      }
      DotStore<FieldKey> presence = left.presence.join(right.presence, (first, second) -> first);
      VersionVector prefix = prefixOf(presence);
      TreeSet<FieldKey> keys = new TreeSet<>(left.fields.keySet());
      keys.addAll(right.fields.keySet());
      TreeMap<FieldKey, CrdtState> fields = new TreeMap<>();
      for (FieldKey key : keys) {
        // A side without the field holds nothing of it beyond its prefix: what it saw there, it
        // removed, so the join keeps of the other side only what this side has not seen.
        AbstractType<?, ?> type = CrdtRegistry.typeByTag(key.typeTag());
        CrdtState joined =
            type.join(
                nested(left.fields, key, left.prefix()), nested(right.fields, key, right.prefix()));
        fields.put(key, withoutPrefix(joined, prefix));
      }
      return normalized(presence, fields, prefix);
    }

    /**
     * Folds the presence and every nested state with the stable vector; a nested state left with
     * nothing beyond the folded prefix and no presence tag is dropped (see {@link #normalized}).
     * Needs a settled vector (see {@link CrdtType#fold}).
     */
    @Override
    OrMap foldTyped(OrMap state, VersionVector stable) {
      // A stable neutralised duplicate's presence goes before its op id does, or the field would
      // show again once the id folds away.
      VersionVector stableTags = Tags.stableTags(stable);
      java.util.Set<Dot> duplicates = state.presence.duplicateTags();
      TreeMap<Dot, FieldKey> kept = new TreeMap<>();
      state
          .presence
          .entries()
          .forEach(
              (tag, key) -> {
                if (!duplicates.contains(tag) || !stableTags.contains(tag)) {
                  kept.put(tag, key);
                }
              });
      DotStore<FieldKey> presence = state.presence.withEntries(kept).fold(stable);
      VersionVector prefix = prefixOf(presence);
      TreeMap<FieldKey, CrdtState> fields = new TreeMap<>();
      state.fields.forEach(
          (key, nested) -> {
            AbstractType<?, ?> type = CrdtRegistry.internalType(nested.typeName());
            CrdtState folded = type.foldNested(withPrefix(nested, prefix), stable);
            fields.put(key, withoutPrefix(withoutMarks(folded), prefix));
          });
      return normalized(collapseSummedPresence(presence, fields), fields, prefix);
    }

    /**
     * A counter field keeps one presence tag per update; once its counter has summed an origin's
     * old increments, the field's presence tags of that origin up to the sum's log entry are one
     * tag too, the newest of them (so a map of counters stays bounded, not only its counters).
     * Every one of them is of an entry at or before the sum's, so older than T for any remove
     * applied after this fold: a remove accepted then observed the sum, and its context, widened to
     * whole entries ({@link #requireOldObserved}), takes all of them where they were not collapsed
     * and the one kept where they were; a remove that did not observe them was refused. A function
     * of the folded counter, so regions that folded at different times agree.
     */
    private static DotStore<FieldKey> collapseSummedPresence(
        DotStore<FieldKey> presence, SortedMap<FieldKey, CrdtState> fields) {
      java.util.Map<FieldKey, java.util.Map<String, Long>> summedThrough =
          new java.util.HashMap<>();
      fields.forEach(
          (key, nested) -> {
            if (nested instanceof Counter counter) {
              counter
                  .store()
                  .entries()
                  .forEach(
                      (tag, entry) -> {
                        if (entry.consolidated()) {
                          summedThrough
                              .computeIfAbsent(key, any -> new java.util.HashMap<>())
                              .merge(tag.replica(), Tags.entryDot(tag).counter(), Math::max);
                        }
                      });
            }
          });
      if (summedThrough.isEmpty()) {
        return presence;
      }
      TreeMap<Dot, FieldKey> kept = new TreeMap<>();
      java.util.Map<FieldKey, java.util.Map<String, Dot>> newest = new java.util.HashMap<>();
      presence
          .entries()
          .forEach(
              (tag, key) -> {
                Long through =
                    summedThrough.getOrDefault(key, java.util.Map.of()).get(tag.replica());
                if (through != null && Tags.entryDot(tag).counter() <= through) {
                  newest
                      .computeIfAbsent(key, any -> new java.util.HashMap<>())
                      .merge(
                          tag.replica(),
                          tag,
                          (left, right) -> left.compareTo(right) >= 0 ? left : right);
                } else {
                  kept.put(tag, key);
                }
              });
      newest.forEach((key, byOrigin) -> byOrigin.values().forEach(tag -> kept.put(tag, key)));
      return kept.size() == presence.entries().size() ? presence : presence.withEntries(kept);
    }

    @Override
    JsonNode valueTyped(OrMap state) {
      ObjectNode object = CanonicalJson.NODES.objectNode();
      state
          .visibleFields()
          .forEach(
              (name, nested) ->
                  object.set(name, CrdtRegistry.internalType(nested.typeName()).value(nested)));
      return object;
    }

    @Override
    CausalContext observedTyped(OrMap state) {
      CausalContext observed = state.presence.context();
      for (CrdtState nested : state.fields.values()) {
        observed =
            observed.merge(CrdtRegistry.internalType(nested.typeName()).observedContext(nested));
      }
      return observed;
    }

    @Override
    OrMap removeObservedTyped(OrMap state, CausalContext observed, Dot removalDot) {
      TreeMap<FieldKey, CrdtState> fields = new TreeMap<>();
      state.fields.forEach(
          (key, nested) ->
              fields.put(
                  key,
                  CrdtRegistry.internalType(nested.typeName())
                      .removeObserved(nested, observed, removalDot)));
      return normalized(state.presence.withoutObserved(observed), fields, state.prefix());
    }

    @Override
    boolean isEmptyTyped(OrMap state) {
      return state.presence.entries().isEmpty();
    }
  }

  /**
   * The nested state of {@code key} with {@code prefix} put back into its context (the empty state
   * of the key's type when {@code fields} holds none), ready for its type's operations.
   */
  private static CrdtState nested(
      SortedMap<FieldKey, CrdtState> fields, FieldKey key, VersionVector prefix) {
    CrdtState nested = fields.get(key);
    return withPrefix(
        nested != null ? nested : CrdtRegistry.typeByTag(key.typeTag()).empty(), prefix);
  }

  /**
   * The map in its one canonical form: a nested state that holds nothing beyond the folded prefix
   * (equal to its type's empty state) and has no presence tag is not kept, as a dot store keeps no
   * item for a removed tag; a field is gone once its updates are removed and their tags stable.
   * Every nested context leaves out what the prefix covers: {@code fields} already do for {@code
   * strippedFor}, and all are stripped again if the presence's prefix is not that one.
   */
  static OrMap normalized(
      DotStore<FieldKey> presence,
      SortedMap<FieldKey, CrdtState> fields,
      VersionVector strippedFor) {
    VersionVector prefix = prefixOf(presence);
    boolean strip = !prefix.equals(strippedFor);
    TreeMap<FieldKey, CrdtState> kept = new TreeMap<>();
    fields.forEach(
        (key, given) -> {
          CrdtState nested = strip ? withoutPrefix(given, prefix) : given;
          if (!presence.tagsOf(key).isEmpty()
              || !nested.equals(CrdtRegistry.typeByTag(key.typeTag()).empty())) {
            kept.put(key, nested);
          }
        });
    return new OrMap(presence, kept);
  }

  /** True when the map is in the form {@link #normalized} gives: what a decoder accepts. */
  boolean isNormalized() {
    for (Map.Entry<FieldKey, CrdtState> entry : fields.entrySet()) {
      if (entry.getKey().typeTag()
          != CrdtRegistry.internalType(entry.getValue().typeName()).tag()) {
        return false;
      }
    }
    for (FieldKey key : presence.entries().values()) {
      if (!fields.containsKey(key)) {
        return false;
      }
    }
    for (CrdtState nested : fields.values()) {
      if (!withoutMarks(nested).equals(nested)) {
        return false;
      }
    }
    return normalized(presence, fields, VersionVector.empty()).equals(this);
  }

  /** {@code nested} with {@code prefix} added to its own context. */
  static CrdtState withPrefix(CrdtState nested, VersionVector prefix) {
    if (prefix.isEmpty()) {
      return nested;
    }
    return withOwnContext(nested, ownContext(nested).merge(CausalContext.of(prefix)));
  }

  /** {@code nested} with what {@code prefix} covers taken out of its own context. */
  static CrdtState withoutPrefix(CrdtState nested, VersionVector prefix) {
    CausalContext context = ownContext(nested);
    VersionVector compact = VersionVector.empty();
    boolean changed = false;
    for (String replica : context.compactVector().replicas()) {
      long counter = context.compactVector().get(replica);
      if (counter > prefix.get(replica)) {
        // Beyond the prefix, so kept whole; it repeats the prefix's dots below it, which the
        // map's context holds anyway. Only a client context could make one; a fold never does.
        compact = compact.with(replica, counter);
      } else {
        changed = true;
      }
    }
    List<Dot> cloud = new ArrayList<>();
    for (Dot dot : context.cloud()) {
      if (prefix.contains(dot)) {
        changed = true;
      } else {
        cloud.add(dot);
      }
    }
    return changed ? withOwnContext(nested, CausalContext.of(compact, cloud)) : nested;
  }

  /**
   * {@code nested} without client marks. The map's presence keeps the key's marks, and a field's
   * update is found applied there before the field is asked; a nested state that kept marks of its
   * own would also never be empty, so a removed field would never go.
   */
  static CrdtState withoutMarks(CrdtState nested) {
    return withOwnContext(nested, ownContext(nested));
  }

  /** The context of a nested state itself, without those of states nested in it. */
  private static CausalContext ownContext(CrdtState nested) {
    if (nested instanceof OrMap map) {
      return map.presence.context();
    }
    if (nested instanceof RgaList list) {
      return list.context();
    }
    return storeOf(nested).context();
  }

  /**
   * {@code nested} with {@code context} as its own, and no client marks (see {@link
   * #withoutMarks}).
   */
  private static CrdtState withOwnContext(CrdtState nested, CausalContext context) {
    if (nested instanceof OrMap map) {
      DotStore<FieldKey> presence = map.presence;
      return new OrMap(
          new DotStore<>(presence.entries(), presence.operationIds(), context), map.fields);
    }
    if (nested instanceof RgaList list) {
      return new RgaList(list.items(), list.operationIds(), context);
    }
    if (nested instanceof RwSet set) {
      // Its covers are kept relative to its compact vector, which this changes.
      DotStore<RwSet.Change> store = set.store();
      return RwSet.of(new DotStore<>(store.entries(), store.operationIds(), context), set.covers());
    }
    return withStoreContext(dotStoreType(nested), nested, context);
  }

  private static DotStoreType<?, ?, ?> dotStoreType(CrdtState nested) {
    if (CrdtRegistry.internalType(nested.typeName()) instanceof DotStoreType<?, ?, ?> type) {
      return type;
    }
    throw new IllegalArgumentException("no own context known for " + nested.typeName());
  }

  private static DotStore<?> storeOf(CrdtState nested) {
    return storeOf(dotStoreType(nested), nested);
  }

  private static <V, S extends CrdtState> DotStore<V> storeOf(
      DotStoreType<V, S, ?> type, CrdtState nested) {
    return type.store(type.state(nested));
  }

  private static <V, S extends CrdtState> CrdtState withStoreContext(
      DotStoreType<V, S, ?> type, CrdtState nested, CausalContext context) {
    DotStore<V> store = type.store(type.state(nested));
    return type.wrap(new DotStore<>(store.entries(), store.operationIds(), context));
  }
}
