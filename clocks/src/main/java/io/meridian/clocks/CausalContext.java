package io.meridian.clocks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * An immutable set of dots, kept as a compact version vector plus a cloud of the dots beyond it
 * (Almeida, Shoker, Baquero, "Delta state replicated data types", 2018, section 5). This is the
 * causal context of the delta-state CRDTs: the events a state has seen, whether or not they are
 * still present in it.
 *
 * <p>The representation is always canonical: a dot that extends its replica's contiguous prefix is
 * folded into the vector, and no cloud dot is already covered by the vector. So {@link #equals} is
 * structural and means "contains the same dots", and encodings are deterministic.
 *
 * <p>The cloud is a persistent balanced tree (path copying), so {@link #add} and {@link #contains}
 * cost O(log n) in the cloud's size and share the rest of the cloud with the context they came
 * from; {@link #merge} of two contexts with large clouds is one ordered walk over both, O(n + m).
 */
public final class CausalContext {
  /** Up to this many cloud dots, a merge adds the smaller side's dots one by one. */
  private static final int ADD_ONE_BY_ONE_DOTS_MAX = 8;

  private static final CausalContext EMPTY = new CausalContext(VersionVector.empty(), null);

  private final VersionVector compact;
  private final DotTree cloud;
  private int hash;

  private CausalContext(VersionVector compact, DotTree cloud) {
    this.compact = compact;
    this.cloud = cloud;
  }

  public static CausalContext empty() {
    return EMPTY;
  }

  /** The context holding every dot at or below {@code vector}. */
  public static CausalContext of(VersionVector vector) {
    return vector.isEmpty() ? EMPTY : new CausalContext(vector, null);
  }

  /** The context holding every dot at or below {@code vector} and each of {@code dots}. */
  public static CausalContext of(VersionVector vector, Collection<Dot> dots) {
    return compact(vector, new ArrayList<>(new TreeSet<>(dots)));
  }

  /**
   * The context holding every dot at or below {@code vector} and each of {@code ascending}, which
   * must be strictly ascending: O(n), without sorting.
   *
   * @throws IllegalArgumentException when {@code ascending} is not strictly ascending
   */
  public static CausalContext ofSorted(VersionVector vector, List<Dot> ascending) {
    Dot previous = null;
    for (Dot dot : ascending) {
      if (previous != null && previous.compareTo(dot) >= 0) {
        throw new IllegalArgumentException("dots not strictly ascending at " + dot);
      }
      previous = dot;
    }
    return compact(vector, ascending);
  }

  /** The context holding exactly {@code dots}. */
  public static CausalContext ofDots(Collection<Dot> dots) {
    return of(VersionVector.empty(), dots);
  }

  /**
   * Folds every dot that extends the vector's contiguous prefix into it and drops covered dots;
   * {@code dots} is strictly ascending.
   */
  private static CausalContext compact(VersionVector vector, List<Dot> dots) {
    VersionVector folded = vector;
    List<Dot> remaining = new ArrayList<>();
    for (Dot dot : dots) {
      long seen = folded.get(dot.replica());
      if (dot.counter() == seen + 1) {
        folded = folded.with(dot.replica(), dot.counter());
      } else if (dot.counter() > seen) {
        remaining.add(dot);
      }
    }
    // Dots are sorted by (replica, counter), so a single pass folds each replica's run; a dot left
    // in `remaining` may still have become contiguous only if an earlier dot of its replica was
    // folded after it, which sorted order rules out.
    if (remaining.isEmpty() && folded.isEmpty()) {
      return EMPTY;
    }
    return new CausalContext(folded, DotTree.ofSorted(remaining));
  }

  /** True when {@code dot} is in this context. */
  public boolean contains(Dot dot) {
    return compact.contains(dot) || DotTree.contains(cloud, dot);
  }

  /** This context with {@code dot} added: O(log n), plus O(log n) per cloud dot it folds. */
  public CausalContext add(Dot dot) {
    if (contains(dot)) {
      return this;
    }
    if (compact.get(dot.replica()) + 1 != dot.counter()) {
      return new CausalContext(compact, DotTree.plus(cloud, dot));
    }
    // The replica's next event: it and the cloud dots that now continue the prefix fold in.
    long counter = dot.counter();
    DotTree rest = cloud;
    while (rest != null) {
      Dot next = new Dot(dot.replica(), counter + 1);
      if (!DotTree.contains(rest, next)) {
        break;
      }
      rest = DotTree.minus(rest, next);
      counter++;
    }
    return new CausalContext(compact.with(dot.replica(), counter), rest);
  }

  /**
   * The union of the two contexts (their join). When one side is a few dots beyond a vector the
   * other covers, they are added one by one, O(k log n); otherwise one ordered walk over both
   * clouds, O(n + m).
   */
  public CausalContext merge(CausalContext other) {
    if (other == this || other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    if (other.isFewDotsBeyond(this)) {
      return addEach(other);
    }
    if (isFewDotsBeyond(other)) {
      return other.addEach(this);
    }
    VersionVector vector = compact.merge(other.compact);
    if (cloud == null && other.cloud == null) {
      return new CausalContext(vector, null);
    }
    List<Dot> union = new ArrayList<>(DotTree.size(cloud) + DotTree.size(other.cloud));
    Iterator<Dot> mine = DotTree.iterator(cloud);
    Iterator<Dot> theirs = DotTree.iterator(other.cloud);
    Dot a = mine.hasNext() ? mine.next() : null;
    Dot b = theirs.hasNext() ? theirs.next() : null;
    while (a != null || b != null) {
      int comparison = a == null ? 1 : b == null ? -1 : a.compareTo(b);
      union.add(comparison <= 0 ? a : b);
      if (comparison <= 0) {
        a = mine.hasNext() ? mine.next() : null;
      }
      if (comparison >= 0) {
        b = theirs.hasNext() ? theirs.next() : null;
      }
    }
    return compact(vector, union);
  }

  /** True when this context's vector is covered by {@code other}'s and its cloud is small. */
  private boolean isFewDotsBeyond(CausalContext other) {
    return DotTree.size(cloud) <= ADD_ONE_BY_ONE_DOTS_MAX && other.compact.dominates(compact);
  }

  private CausalContext addEach(CausalContext small) {
    CausalContext result = this;
    for (Iterator<Dot> dots = DotTree.iterator(small.cloud); dots.hasNext(); ) {
      result = result.add(dots.next());
    }
    return result;
  }

  /**
   * The canonical form of this context. Contexts are kept canonical on every operation, so this
   * returns {@code this}; it exists so callers can state the intent.
   */
  public CausalContext compact() {
    return this;
  }

  /** The largest counter of {@code replica} in this context, or 0: O(log n). */
  public long max(String replica) {
    return Math.max(compact.get(replica), DotTree.max(cloud, replica));
  }

  /** The next fresh dot for {@code replica}: one above the largest it has in this context. */
  public Dot nextDot(String replica) {
    return new Dot(replica, max(replica) + 1);
  }

  /** The vector of contiguous prefixes. */
  public VersionVector compactVector() {
    return compact;
  }

  /**
   * The dots beyond the compact vector, in ascending order: a read-only view whose size is O(1),
   * whose {@code get} is O(log n) and whose iteration is O(n).
   */
  public List<Dot> cloud() {
    return DotTree.asList(cloud);
  }

  /**
   * The smallest version vector that covers every dot of this context (the compact vector joined
   * with the cloud's maxima).
   */
  public VersionVector covering() {
    VersionVector vector = compact;
    for (Iterator<Dot> dots = DotTree.iterator(cloud); dots.hasNext(); ) {
      Dot dot = dots.next();
      if (dot.counter() > vector.get(dot.replica())) {
        vector = vector.with(dot.replica(), dot.counter());
      }
    }
    return vector;
  }

  public boolean isEmpty() {
    return compact.isEmpty() && cloud == null;
  }

  @Override
  public boolean equals(Object other) {
    if (other == this) {
      return true;
    }
    if (!(other instanceof CausalContext context)
        || DotTree.size(cloud) != DotTree.size(context.cloud)
        || !compact.equals(context.compact)) {
      return false;
    }
    if (cloud == context.cloud) {
      return true;
    }
    Iterator<Dot> mine = DotTree.iterator(cloud);
    Iterator<Dot> theirs = DotTree.iterator(context.cloud);
    while (mine.hasNext()) {
      if (!mine.next().equals(theirs.next())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int result = hash;
    if (result == 0) {
      result = 31 * compact.hashCode() + cloud().hashCode();
      hash = result;
    }
    return result;
  }

  @Override
  public String toString() {
    return "CausalContext" + compact + (cloud == null ? "" : cloud().toString());
  }
}
