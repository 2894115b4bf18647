package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The remove-wins set: add and remove each put a fresh tag (marked add or remove) for the element;
 * an element is in the set when it has tags and none of them is a remove, so a remove concurrent
 * with an add wins. A dot-store composition after Almeida, Shoker and Baquero (2018).
 *
 * <p>An add supersedes every tag of its elements that its region has applied, whatever context its
 * client sent: causality is the region's. A remove supersedes only the tags its client observed
 * (which changes what it drops, never the value: the remove wins anyway). {@link CrdtType#fold}
 * drops an element's tags once all of them are stable and one is a remove: the element is absent
 * and, with a settled stable vector, every later operation on it is causally after all of them. A
 * region that dropped them cannot name them in a later add, so an add also carries a <em>cover</em>
 * for each of its elements, the compact vector of its region's context (what that region folded):
 * every tag of the element at or below it is superseded, at regions that still hold such tags too.
 * In a state a cover keeps only the components its own compact vector does not reach yet; a fold
 * there drops the rest. Immutable; {@code equals} is structural.
 */
final class RwSet implements CrdtState {
  static final String NAME = "rw-set";

  /** One tagged add or remove of an element; ordered by element, then adds before removes. */
  record Change(Element element, boolean removal) implements Comparable<Change> {
    @Override
    public int compareTo(Change other) {
      int byElement = element.compareTo(other.element);
      return byElement != 0 ? byElement : Boolean.compare(removal, other.removal);
    }
  }

  private final DotStore<Change> store;

  /** Persistent, so a delta's covers join into a state's in O(log n) each. */
  private final PersistentSortedMap<Element, VersionVector> covers;

  RwSet(DotStore<Change> store) {
    this(store, PersistentSortedMap.empty());
  }

  private RwSet(DotStore<Change> store, PersistentSortedMap<Element, VersionVector> covers) {
    this.store = Objects.requireNonNull(store);
    this.covers = Objects.requireNonNull(covers);
  }

  /**
   * The state with these items and covers, in canonical form: items a cover reaches are dropped,
   * and a cover keeps only the components above the store's compact vector (below it, the context
   * already says the tags were seen, so the join drops them wherever they are still held).
   */
  static RwSet of(DotStore<Change> store, SortedMap<Element, VersionVector> covers) {
    if (covers.isEmpty()) {
      return new RwSet(store);
    }
    VersionVector compact = store.context().compactVector();
    TreeMap<Element, VersionVector> kept = new TreeMap<>();
    List<Dot> covered = new ArrayList<>();
    covers.forEach(
        (element, cover) -> {
          covered.addAll(coveredTags(store, element, cover));
          VersionVector above = above(cover, compact);
          if (!above.isEmpty()) {
            kept.put(element, above);
          }
        });
    return new RwSet(
        covered.isEmpty() ? store : without(store, covered), PersistentSortedMap.copyOf(kept));
  }

  /** The components of {@code cover} above {@code compact}. */
  private static VersionVector above(VersionVector cover, VersionVector compact) {
    VersionVector above = VersionVector.empty();
    for (String replica : cover.replicas()) {
      if (cover.get(replica) > compact.get(replica)) {
        above = above.with(replica, cover.get(replica));
      }
    }
    return above;
  }

  /**
   * The join: {@code of(left ⊔ right, covers of both)}, but in time proportional to the smaller
   * side's covers and items, so a delta joins into a state that holds many covers in O(k log n).
   * Each side already holds no item its own covers reach and only cover components above its own
   * compact vector.
   */
  static RwSet join(RwSet left, RwSet right, DotStore<Change> joinedStore) {
    if (left.covers.isEmpty() && right.covers.isEmpty()) {
      return new RwSet(joinedStore);
    }
    RwSet many = left.covers.size() >= right.covers.size() ? left : right;
    RwSet few = many == left ? right : left;
    List<Dot> covered = new ArrayList<>();
    few.covers.forEach((element, cover) -> covered.addAll(coveredTags(many.store, element, cover)));
    if (few.store.entries().size() < many.covers.size()) {
      few.store
          .entries()
          .forEach(
              (tag, change) -> {
                VersionVector cover = many.covers.get(change.element());
                if (cover != null && cover.contains(tag)) {
                  covered.add(tag);
                }
              });
    } else {
      many.covers.forEach(
          (element, cover) -> covered.addAll(coveredTags(few.store, element, cover)));
    }
    DotStore<Change> store = covered.isEmpty() ? joinedStore : without(joinedStore, covered);
    VersionVector compact = store.context().compactVector();
    PersistentSortedMap<Element, VersionVector> covers = many.covers;
    List<Element> changed = new ArrayList<>(few.covers.keySet());
    if (!compact.equals(many.store.context().compactVector())) {
      // The compact vector grew: every cover may have components it now reaches.
      changed.addAll(many.covers.keySet());
    }
    for (Element element : changed) {
      VersionVector mine = many.covers.get(element);
      VersionVector theirs = few.covers.get(element);
      VersionVector merged = mine == null ? theirs : theirs == null ? mine : mine.merge(theirs);
      VersionVector above = above(merged, compact);
      covers = above.isEmpty() ? covers.minus(element) : covers.plus(element, above);
    }
    return new RwSet(store, covers);
  }

  private static List<Dot> coveredTags(
      DotStore<Change> store, Element element, VersionVector cover) {
    List<Dot> covered = new ArrayList<>();
    for (boolean removal : new boolean[] {false, true}) {
      for (Dot tag : store.tagsOf(new Change(element, removal))) {
        if (cover.contains(tag)) {
          covered.add(tag);
        }
      }
    }
    return covered;
  }

  /** The store without the items of {@code tags} (already in its context, which stays as it is). */
  private static DotStore<Change> without(DotStore<Change> store, List<Dot> tags) {
    return store.join(
        new DotStore<>(
            Collections.emptySortedMap(), Collections.emptySortedMap(), CausalContext.ofDots(tags)),
        (left, right) -> left);
  }

  DotStore<Change> store() {
    return store;
  }

  /** Per element, the vector at or below which every tag of the element is superseded. */
  SortedMap<Element, VersionVector> covers() {
    return covers;
  }

  /** The elements, in canonical order. */
  public SortedSet<Element> elements() {
    TreeSet<Element> present = new TreeSet<>();
    TreeSet<Element> removed = new TreeSet<>();
    for (Change change : store.entries().values()) {
      (change.removal() ? removed : present).add(change.element());
    }
    present.removeAll(removed);
    return present;
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RwSet set && store.equals(set.store) && covers.equals(set.covers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(store, covers);
  }

  @Override
  public String toString() {
    return NAME + store + (covers.isEmpty() ? "" : " covers" + covers);
  }

  static final class Type extends DotStoreType<Change, RwSet, DeltaEffect> {
    Type() {
      super(NAME, 8, RwSet.class, DeltaEffect.class, RwSet::store, RwSet::new);
    }

    @Override
    Optional<DeltaEffect> prepareTyped(RwSet state, Operation operation, UpdateContext context) {
      if (alreadyApplied(state, context)) {
        return Optional.empty();
      }
      if (!(operation instanceof Operation.ChangeElements change)) {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      CausalContext observed = observedOrCurrent(context, state.store.context());
      VersionVector folded = state.store.context().compactVector();
      DeltaBuilder<Change> delta = new DeltaBuilder<>(state.store.context(), context.dot());
      delta.operationId(context.recordedOperationId());
      TreeMap<Element, VersionVector> covers = new TreeMap<>();
      for (Element element : new TreeSet<>(change.elements())) {
        for (boolean removal : new boolean[] {false, true}) {
          for (Dot tag : state.store.tagsOf(new Change(element, removal))) {
            if (change.add() || observed.contains(tag)) {
              delta.supersede(tag);
            }
          }
        }
        delta.put(new Change(element, !change.add()));
        if (change.add() && !folded.isEmpty()) {
          covers.put(element, folded);
        }
      }
      return Optional.of(new DeltaEffect(RwSet.of(delta.build(), covers)));
    }

    @Override
    RwSet applyTyped(RwSet state, DeltaEffect effect, Dot entryDot) {
      return joinTyped(state, state(effect.delta()));
    }

    @Override
    RwSet joinTyped(RwSet left, RwSet right) {
      if (left == right) {
        return left;
      }
      return RwSet.join(left, right, left.store.join(right.store, sameTag()));
    }

    /**
     * Folds the context, then drops every tag of each element whose tags are all stable and include
     * a remove: such an element is absent, and (the vector being settled) nothing concurrent with
     * those tags can still arrive, so a later add's cover names them all.
     */
    @Override
    RwSet foldTyped(RwSet state, VersionVector stable) {
      DotStore<Change> folded = state.store.fold(stable);
      VersionVector stableTags = Tags.stableTags(stable);
      Map<Element, Boolean> allStable = new HashMap<>();
      Set<Element> removed = new HashSet<>();
      folded
          .entries()
          .forEach(
              (tag, change) -> {
                allStable.merge(change.element(), stableTags.contains(tag), Boolean::logicalAnd);
                if (change.removal()) {
                  removed.add(change.element());
                }
              });
      List<Dot> collected = new ArrayList<>();
      folded
          .entries()
          .forEach(
              (tag, change) -> {
                if (removed.contains(change.element()) && allStable.get(change.element())) {
                  collected.add(tag);
                }
              });
      return RwSet.of(collected.isEmpty() ? folded : without(folded, collected), state.covers);
    }

    /**
     * In an or-map field nothing is collected: a remove of the field whose client context was read
     * before the fold can name a stable remove's tag but not a concurrent add it beat, and would
     * then leave that add where the remove was kept and nothing where a fold had dropped both.
     */
    @Override
    CrdtState foldNested(CrdtState state, VersionVector stable) {
      RwSet set = state(state);
      return RwSet.of(set.store.fold(stable), set.covers);
    }

    @Override
    RwSet removeObservedTyped(RwSet state, CausalContext observed, Dot removalDot) {
      return RwSet.of(state.store.withoutObserved(observed), state.covers);
    }

    @Override
    JsonNode valueTyped(RwSet state) {
      return ElementSets.json(state.elements());
    }

    @Override
    boolean isEmptyTyped(RwSet state) {
      return state.elements().isEmpty() && state.store.entries().isEmpty();
    }
  }
}
