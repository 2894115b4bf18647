package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;

/**
 * Causal-context unions in linear time. {@link CausalContext#merge} sorts both clouds again, which
 * costs O(n log n) per join; a state's context holds one cloud dot per unstable tag (tags are never
 * contiguous, see {@link Tags}), so every delta applied to a large unfolded state paid that sort.
 * Here a small delta's dots are added one by one, and two large clouds are merged by one walk over
 * both sorted lists, handed to {@link CausalContext#of(io.meridian.clocks.VersionVector,
 * java.util.Collection)} as a {@link SortedSet} so it is taken over without sorting again.
 */
final class Contexts {
  /** Up to this many cloud dots, a delta's dots are added one at a time. */
  static final int ADD_ONE_BY_ONE_DOTS_MAX = 8;

  private Contexts() {}

  /** The union of two contexts. */
  static CausalContext merge(CausalContext left, CausalContext right) {
    if (left == right || right.isEmpty()) {
      return left;
    }
    if (left.isEmpty()) {
      return right;
    }
    if (isFewDots(right)) {
      return addEach(left, right);
    }
    if (isFewDots(left)) {
      return addEach(right, left);
    }
    List<Dot> mine = left.cloud();
    List<Dot> theirs = right.cloud();
    List<Dot> union = new ArrayList<>(mine.size() + theirs.size());
    int i = 0;
    int j = 0;
    while (i < mine.size() || j < theirs.size()) {
      int comparison =
          i == mine.size() ? 1 : j == theirs.size() ? -1 : mine.get(i).compareTo(theirs.get(j));
      if (comparison <= 0) {
        union.add(mine.get(i++));
        if (comparison == 0) {
          j++;
        }
      } else {
        union.add(theirs.get(j++));
      }
    }
    return CausalContext.of(
        left.compactVector().merge(right.compactVector()), new SortedDots(union));
  }

  /**
   * The dots both contexts hold: the meet of the compact vectors, and each side's cloud dots that
   * the other side holds.
   */
  static CausalContext intersect(CausalContext left, CausalContext right) {
    if (left == right) {
      return left;
    }
    List<Dot> dots = new ArrayList<>();
    for (Dot dot : left.cloud()) {
      if (right.contains(dot)) {
        dots.add(dot);
      }
    }
    for (Dot dot : right.cloud()) {
      if (left.contains(dot)) {
        dots.add(dot);
      }
    }
    return CausalContext.of(left.compactVector().meet(right.compactVector()), dots);
  }

  private static boolean isFewDots(CausalContext context) {
    return context.compactVector().isEmpty() && context.cloud().size() <= ADD_ONE_BY_ONE_DOTS_MAX;
  }

  private static CausalContext addEach(CausalContext context, CausalContext dots) {
    CausalContext result = context;
    for (Dot dot : dots.cloud()) {
      result = result.add(dot);
    }
    return result;
  }

  /** A read-only sorted-set view of a strictly ascending list of dots. */
  private static final class SortedDots extends AbstractSet<Dot> implements SortedSet<Dot> {
    private final List<Dot> dots;

    SortedDots(List<Dot> dots) {
      this.dots = dots;
    }

    @Override
    public Iterator<Dot> iterator() {
      return java.util.Collections.unmodifiableList(dots).iterator();
    }

    @Override
    public int size() {
      return dots.size();
    }

    @Override
    public Comparator<? super Dot> comparator() {
      return null;
    }

    @Override
    public SortedSet<Dot> subSet(Dot fromElement, Dot toElement) {
      return new SortedDots(dots.subList(indexOf(fromElement), indexOf(toElement)));
    }

    @Override
    public SortedSet<Dot> headSet(Dot toElement) {
      return new SortedDots(dots.subList(0, indexOf(toElement)));
    }

    @Override
    public SortedSet<Dot> tailSet(Dot fromElement) {
      return new SortedDots(dots.subList(indexOf(fromElement), dots.size()));
    }

    /** The index of the first dot at or above {@code dot}. */
    private int indexOf(Dot dot) {
      int found = java.util.Collections.binarySearch(dots, dot);
      return found >= 0 ? found : -found - 1;
    }

    @Override
    public Dot first() {
      if (dots.isEmpty()) {
        throw new NoSuchElementException();
      }
      return dots.get(0);
    }

    @Override
    public Dot last() {
      if (dots.isEmpty()) {
        throw new NoSuchElementException();
      }
      return dots.get(dots.size() - 1);
    }
  }
}
