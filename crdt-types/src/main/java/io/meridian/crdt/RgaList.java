package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

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

  private final List<Item> items;
  private final SortedMap<Dot, String> operationIds;
  private final CausalContext context;
  private final ClientMarks marks;

  /** A list without client marks, as one nested in an or-map field is. */
  RgaList(List<Item> items, SortedMap<Dot, String> operationIds, CausalContext context) {
    this(items, operationIds, context, ClientMarks.empty());
  }

  RgaList(
      List<Item> items,
      SortedMap<Dot, String> operationIds,
      CausalContext context,
      ClientMarks marks) {
    this.items = List.copyOf(items);
    this.operationIds = Collections.unmodifiableSortedMap(new TreeMap<>(operationIds));
    this.context = Objects.requireNonNull(context);
    this.marks = Objects.requireNonNull(marks);
  }

  static RgaList empty() {
    return new RgaList(List.of(), new TreeMap<>(), CausalContext.empty());
  }

  List<Item> items() {
    return items;
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
    return new DotStore<>(new TreeMap<Dot, Object>(), operationIds, context).duplicateTags();
  }

  /** The visible items in order. */
  List<Item> visibleItems() {
    Set<Dot> duplicates = duplicateTags();
    List<Item> visible = new ArrayList<>();
    for (Item item : items) {
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
        && items.equals(list.items)
        && operationIds.equals(list.operationIds)
        && context.equals(list.context)
        && marks.equals(list.marks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(items, operationIds, context, marks);
  }

  @Override
  public String toString() {
    return NAME + items + operationIds + context + (marks.isEmpty() ? "" : " " + marks);
  }

  /** Puts {@code item} after its origin, past every item with a larger key. */
  private static void integrate(List<Item> list, Item item) {
    int position = 0;
    if (item.origin() != null) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).tag().equals(item.origin())) {
          position = i + 1;
          break;
        }
      }
    }
    while (position < list.size() && KEY.compare(list.get(position), item) > 0) {
      position++;
    }
    list.add(position, item);
  }

  private static int indexOf(List<Item> list, Dot tag) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).tag().equals(tag)) {
        return i;
      }
    }
    return -1;
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
      List<Item> visible = state.visibleItems();
      int ordinal = Tags.nextOrdinal(state.context, context.dot());
      if (operation instanceof Operation.Insert insert) {
        if (insert.index() < 0 || insert.index() > visible.size()) {
          throw new CrdtRequestException(
              ErrorCode.BAD_REQUEST,
              "insert index " + insert.index() + " is past the end (size " + visible.size() + ")");
        }
        if ((long) ordinal + insert.values().size() > Tags.ORDINALS_PER_DOT_MAX) {
          throw new CrdtRequestException(
              ErrorCode.BAD_REQUEST, "too many values inserted in one key by one batch");
        }
        Dot origin = insert.index() == 0 ? null : visible.get(insert.index() - 1).tag();
        long lamport = 1;
        for (Item item : state.items) {
          lamport = Math.max(lamport, item.lamport() + 1);
        }
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
            || (long) delete.index() + delete.count() > visible.size()) {
          throw new CrdtRequestException(
              ErrorCode.BAD_REQUEST,
              "delete of "
                  + delete.count()
                  + " from index "
                  + delete.index()
                  + " is past the end (size "
                  + visible.size()
                  + ")");
        }
        List<Dot> tags =
            visible.subList(delete.index(), delete.index() + delete.count()).stream()
                .map(Item::tag)
                .toList();
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
      List<Item> list = new ArrayList<>(state.items);
      CausalContext context = state.context.add(operationTag);
      Dot idTag = effect.operationId() == null ? null : operationTag;
      if (effect.insert()) {
        Dot origin = effect.origin();
        for (int i = 0; i < effect.values().size(); i++) {
          Dot tag = Tags.of(entryDot, effect.ordinal() + i);
          integrate(
              list, new Item(tag, origin, effect.lamport(), effect.values().get(i), null, idTag));
          context = context.add(tag);
          origin = tag;
        }
      } else {
        for (Dot deleted : effect.deletions()) {
          int index = indexOf(list, deleted);
          if (index >= 0) {
            list.set(index, list.get(index).deletedBy(operationTag));
          }
        }
      }
      TreeMap<Dot, String> ids = new TreeMap<>(state.operationIds);
      if (idTag != null) {
        ids.put(idTag, effect.operationId());
      }
      return new RgaList(list, ids, context, state.marks);
    }

    @Override
    RgaList joinTyped(RgaList left, RgaList right) {
      if (left == right) {
        return left;
      }
      List<Item> list = new ArrayList<>(left.items);
      Map<Dot, Integer> known = new HashMap<>();
      for (int i = 0; i < list.size(); i++) {
        known.put(list.get(i).tag(), i);
      }
      for (Item item : right.items) {
        if (known.containsKey(item.tag())) {
          int index = indexOf(list, item.tag());
          Item mine = list.get(index);
          list.set(index, item.deletedBy() == null ? mine : mine.deletedBy(item.deletedBy()));
        } else if (!left.context.contains(item.tag())) {
          integrate(list, item);
        }
      }
      Set<Dot> inRight = new java.util.HashSet<>();
      right.items.forEach(item -> inRight.add(item.tag()));
      list.removeIf(item -> !inRight.contains(item.tag()) && right.context.contains(item.tag()));
      return new RgaList(
          list,
          DotStore.joinMaps(
              left.operationIds,
              left.context,
              right.operationIds,
              right.context,
              (first, second) -> first),
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
      for (int i = state.items.size() - 1; i >= 0; i--) {
        Item item = state.items.get(i);
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
      for (Item item : state.items) {
        list.add(observed.contains(item.tag()) ? item.deletedBy(removalTag) : item);
      }
      return new RgaList(list, state.operationIds, state.context, state.marks);
    }

    @Override
    boolean isEmptyTyped(RgaList state) {
      return state.visibleItems().isEmpty();
    }
  }
}
