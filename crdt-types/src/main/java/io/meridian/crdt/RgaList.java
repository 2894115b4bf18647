package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The list: a replicated growable array (RGA; Roh et al., "Replicated abstract data types", 2011).
 * Each item records the item it was inserted after (its origin) and a Lamport number above every
 * item its inserter holds; items are kept in their linear order, and a new item goes after its
 * origin, past every item with a larger (Lamport, tag) key. The items of one insert form a chain
 * with one Lamport number, so two inserts at the same place never interleave item by item. A delete
 * marks items; a marked item is dropped once the delete is stable and no remaining item is anchored
 * to it (see {@link Type#foldTyped}). Operation-based: effects need causal, exactly-once delivery.
 * Immutable; {@code equals} is structural.
 */
final class RgaList implements CrdtState {
  static final String NAME = "list";
  static final Comparator<Item> KEY =
      Comparator.comparingLong(Item::lamport).thenComparing(Item::tag);

  /**
   * One item.
   *
   * @param tag the item's tag
   * @param origin the tag of the item it was inserted after, or null for the head
   * @param lamport above every item its inserter held
   * @param value canonical JSON text
   * @param deletedBy the smallest tag of the deletes that removed it, or null
   * @param operationTag the tag of its insert's operation id, or null without id
   */
  record Item(Dot tag, Dot origin, long lamport, String value, Dot deletedBy, Dot operationTag) {
    Item deletedBy(Dot tag) {
      Dot smallest = deletedBy == null || tag.compareTo(deletedBy) < 0 ? tag : deletedBy;
      return new Item(this.tag, origin, lamport, value, smallest, operationTag);
    }
  }

  private final ItemSequence sequence;
  private final PersistentSortedMap<Dot, String> operationIds;
  private final CausalContext context;
  private final ClientMarks marks;

  /** The items in order, built on first use (a function of {@link #sequence}). */
  private List<Item> items;

  /** A list without client marks, as one nested in an or-map field is. */
  RgaList(List<Item> items, SortedMap<Dot, String> operationIds, CausalContext context) {
    this(items, operationIds, context, ClientMarks.empty());
  }

  RgaList(
      List<Item> items,
      SortedMap<Dot, String> operationIds,
      CausalContext context,
      ClientMarks marks) {
    this(
        ItemSequence.of(List.copyOf(items)),
        PersistentSortedMap.copyOf(operationIds),
        context,
        marks);
  }

  private RgaList(
      ItemSequence sequence,
      PersistentSortedMap<Dot, String> operationIds,
      CausalContext context,
      ClientMarks marks) {
    this.sequence = sequence;
    this.operationIds = operationIds;
    this.context = Objects.requireNonNull(context);
    this.marks = Objects.requireNonNull(marks);
  }

  static RgaList empty() {
    return new RgaList(List.of(), new TreeMap<>(), CausalContext.empty());
  }

  /** The items in order, tombstones included. */
  List<Item> items() {
    List<Item> list = items;
    if (list == null) {
      list = sequence.toList();
      items = list;
    }
    return list;
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

  private Set<Dot> duplicateTags() {
    if (operationIds.isEmpty()) {
      return Set.of();
    }
    return new DotStore<>(new TreeMap<Dot, Object>(), operationIds, context).duplicateTags();
  }

  /** The visible items in order. */
  List<Item> visibleItems() {
    return visibleItems(duplicateTags());
  }

  private List<Item> visibleItems(Set<Dot> duplicates) {
    List<Item> visible = new ArrayList<>();
    for (Item item : items()) {
      if (item.deletedBy() == null
          && (item.operationTag() == null || !duplicates.contains(item.operationTag()))) {
        visible.add(item);
      }
    }
    return visible;
  }

  /** The values as canonical JSON texts, in list order. */
  public List<String> values() {
    return visibleItems().stream().map(Item::value).toList();
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RgaList list
        && items().equals(list.items())
        && operationIds.equals(list.operationIds)
        && context.equals(list.context)
        && marks.equals(list.marks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(items(), operationIds, context, marks);
  }

  @Override
  public String toString() {
    return NAME + items() + operationIds + context + (marks.isEmpty() ? "" : " " + marks);
  }

  /**
   * A list's effect: an insert ({@code values} after {@code origin}) or a delete ({@code
   * deletions}).
   *
   * @param insert true for an insert
   * @param origin the item to insert after, or null for the head
   * @param lamport the Lamport number of the inserted items
   * @param ordinal the first tag ordinal the effect uses within its log entry
   * @param values the inserted values, canonical JSON texts
   * @param deletions the tags of the deleted items
   * @param operationId the client's operation id, or null
   */
  public record ListEffect(
      boolean insert,
      Dot origin,
      long lamport,
      int ordinal,
      List<String> values,
      List<Dot> deletions,
      String operationId)
      implements Effect {
    public ListEffect {
      values = List.copyOf(values);
      deletions = List.copyOf(deletions);
    }

    @Override
    public String typeName() {
      return NAME;
    }
  }

  static final class Type extends AbstractType<RgaList, ListEffect> {
    Type() {
      super(NAME, 10, RgaList.class, ListEffect.class);
    }

    @Override
    RgaList emptyTyped() {
      return RgaList.empty();
    }

    @Override
    Optional<ListEffect> prepareTyped(RgaList state, Operation operation, UpdateContext context) {
      if (DotStore.applied(state.operationIds, state.marks, context)) {
        return Optional.empty();
      }
      // Without neutralised duplicates, the visible items are the undeleted ones, which the
      // sequence finds by rank in O(log n); with some (rare, until stable), they are listed.
      Set<Dot> duplicates = state.duplicateTags();
      List<Item> listed = duplicates.isEmpty() ? null : state.visibleItems(duplicates);
      int size = listed == null ? state.sequence.undeletedCount() : listed.size();
      IntFunction<Item> visible = listed == null ? state.sequence::undeletedAt : listed::get;
      int ordinal = Tags.nextOrdinal(state.context, context.dot());
      if (operation instanceof Operation.Insert insert) {
        if (insert.index() < 0 || insert.index() > size) {
          throw new CrdtRequestException(
              ErrorCode.BAD_REQUEST,
              "insert index " + insert.index() + " is past the end (size " + size + ")");
        }
        if ((long) ordinal + insert.values().size() > Tags.ORDINALS_PER_DOT_MAX) {
          throw new CrdtRequestException(
              ErrorCode.BAD_REQUEST, "too many values inserted in one key by one batch");
        }
        Dot origin = insert.index() == 0 ? null : visible.apply(insert.index() - 1).tag();
        long lamport = state.sequence.maxLamport() + 1;
        return Optional.of(
            new ListEffect(
                true,
                origin,
                lamport,
                ordinal,
                insert.values(),
                List.of(),
                context.recordedOperationId()));
      }
      if (operation instanceof Operation.Delete delete) {
        if (delete.index() < 0
            || delete.count() < 0
            || (long) delete.index() + delete.count() > size) {
          throw new CrdtRequestException(
              ErrorCode.BAD_REQUEST,
              "delete of "
                  + delete.count()
                  + " from index "
                  + delete.index()
                  + " is past the end (size "
                  + size
                  + ")");
        }
        List<Dot> tags = new ArrayList<>(delete.count());
        for (int i = delete.index(); i < delete.index() + delete.count(); i++) {
          tags.add(visible.apply(i).tag());
        }
        return Optional.of(
            new ListEffect(
                false, null, 0, ordinal, List.of(), tags, context.recordedOperationId()));
      }
      throw JsonMapping.wrongOperation(NAME, operation);
    }

    @Override
    RgaList applyTyped(RgaList state, ListEffect effect, Dot entryDot) {
      Dot operationTag = Tags.of(entryDot, effect.ordinal());
      if (state.context.contains(operationTag)) {
        return state;
      }
      ItemSequence list = state.sequence;
      CausalContext context = state.context.add(operationTag);
      Dot idTag = effect.operationId() == null ? null : operationTag;
      if (effect.insert()) {
        Dot origin = effect.origin();
        for (int i = 0; i < effect.values().size(); i++) {
          Dot tag = Tags.of(entryDot, effect.ordinal() + i);
          list =
              list.integrate(
                  new Item(tag, origin, effect.lamport(), effect.values().get(i), null, idTag));
          context = context.add(tag);
          origin = tag;
        }
      } else {
        for (Dot deleted : effect.deletions()) {
          Item item = list.get(deleted);
          if (item != null) {
            list = list.replace(item.deletedBy(operationTag));
          }
        }
      }
      PersistentSortedMap<Dot, String> ids =
          idTag == null ? state.operationIds : state.operationIds.plus(idTag, effect.operationId());
      return new RgaList(list, ids, context, state.marks);
    }

    @Override
    RgaList joinTyped(RgaList left, RgaList right) {
      if (left == right) {
        return left;
      }
      // Each item of the right side is looked up, merged or put in place in O(log n); the left
      // side is walked only when the right side's context is more than a few dots.
      ItemSequence list = left.sequence;
      for (Item item : right.items()) {
        Item mine = list.get(item.tag());
        if (mine != null) {
          if (item.deletedBy() != null) {
            Item deleted = mine.deletedBy(item.deletedBy());
            if (!deleted.equals(mine)) {
              list = list.replace(deleted);
            }
          }
        } else if (!left.context.contains(item.tag())) {
          list = list.integrate(item);
        }
      }
      // Items the right side has seen and no longer holds (collected tombstones) go.
      if (right.context.compactVector().isEmpty()
          && right.context.cloud().size() < left.sequence.size()) {
        for (Dot seen : right.context.cloud()) {
          if (!right.sequence.contains(seen)) {
            list = list.remove(seen);
          }
        }
      } else {
        for (Item item : left.items()) {
          if (!right.sequence.contains(item.tag()) && right.context.contains(item.tag())) {
            list = list.remove(item.tag());
          }
        }
      }
      return new RgaList(
          list,
          PersistentSortedMap.copyOf(
              DotStore.joinMaps(
                  left.operationIds,
                  left.context,
                  right.operationIds,
                  right.context,
                  (first, second) -> first)),
          left.context.merge(right.context),
          left.marks.join(right.marks));
    }

    /**
     * Turns the items of neutralised duplicates into tombstones once their op id folds away, drops
     * the tombstones no item can need any more, and folds the context and op ids. Needs a settled
     * vector (see {@link CrdtType#fold}).
     *
     * <p>A tombstone goes when it is stable, what hid it is stable, and no remaining item names it
     * as its origin. Why that is safe: an insert names only an origin visible where it is made, so
     * one naming this item was made before what hid it reached that region: before it or concurrent
     * with it. With a settled vector every such insert has been applied here, and is one of the
     * remaining items that keep it. Because an item always follows its origin, the list is the
     * preorder walk of the origin tree (children by descending key), so removing a leaf leaves the
     * walk, and therefore where every later insert lands, unchanged for the items that remain. What
     * hides an item is a delete (its tag is {@code deletedBy}) or, for a neutralised duplicate, the
     * effect of the same op id that won; the item's own tag says nothing about the latter, so a
     * duplicate becomes a tombstone only when every tag of its id is stable, in the fold that lets
     * the id go (before that the id hides it). Tombstoning it as soon as its own tag was stable let
     * a region drop it while an insert made after it, at the region that made it and before the
     * winning duplicate arrived there, was still on its way: that insert then found no origin and
     * landed at the head (the replication simulator's seed 101721).
     */
    @Override
    RgaList foldTyped(RgaList state, VersionVector stable) {
      VersionVector stableTags = Tags.stableTags(stable);
      Set<Dot> duplicates = state.duplicateTags();
      DotStore<Object> ids =
          new DotStore<>(new TreeMap<Dot, Object>(), state.operationIds, state.context, state.marks)
              .fold(stable);
      Set<Dot> anchors = new java.util.HashSet<>();
      List<Item> kept = new ArrayList<>();
      List<Item> items = state.items();
      for (int i = items.size() - 1; i >= 0; i--) {
        Item item = items.get(i);
        boolean settledDuplicate =
            item.operationTag() != null
                && duplicates.contains(item.operationTag())
                && !ids.operationIds().containsKey(item.operationTag());
        Item folded = settledDuplicate ? item.deletedBy(item.operationTag()) : item;
        boolean discard =
            folded.deletedBy() != null
                && stableTags.contains(folded.deletedBy())
                && stableTags.contains(folded.tag())
                && !anchors.contains(folded.tag());
        if (!discard) {
          kept.add(folded);
          if (folded.origin() != null) {
            anchors.add(folded.origin());
          }
        }
      }
      Collections.reverse(kept);
      return new RgaList(kept, ids.operationIds(), ids.context(), ids.marks());
    }

    @Override
    JsonNode valueTyped(RgaList state) {
      ArrayNode array = CanonicalJson.NODES.arrayNode();
      for (String value : state.values()) {
        array.add(CanonicalJson.parse(value));
      }
      return array;
    }

    @Override
    CausalContext observedTyped(RgaList state) {
      return state.context;
    }

    /** Marks the observed items deleted; an insert concurrent with the removal survives. */
    @Override
    RgaList removeObservedTyped(RgaList state, CausalContext observed, Dot removalDot) {
      Dot removalTag = Tags.of(removalDot, Tags.ORDINALS_PER_DOT_MAX - 1);
      List<Item> list = new ArrayList<>();
      for (Item item : state.items()) {
        list.add(observed.contains(item.tag()) ? item.deletedBy(removalTag) : item);
      }
      return new RgaList(list, state.operationIds, state.context, state.marks);
    }

    @Override
    boolean isEmptyTyped(RgaList state) {
      return state.duplicateTags().isEmpty()
          ? state.sequence.undeletedCount() == 0
          : state.visibleItems().isEmpty();
    }
  }
}
