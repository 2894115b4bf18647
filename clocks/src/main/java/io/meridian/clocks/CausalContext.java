package io.meridian.clocks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
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
 */
public final class CausalContext {
  private static final Dot[] NO_DOTS = new Dot[0];
  private static final CausalContext EMPTY = new CausalContext(VersionVector.empty(), NO_DOTS);

  private final VersionVector compact;
  private final Dot[] cloud;

  private CausalContext(VersionVector compact, Dot[] cloud) {
    this.compact = compact;
    this.cloud = cloud;
  }

  public static CausalContext empty() {
    return EMPTY;
  }

  /** The context holding every dot at or below {@code vector}. */
  public static CausalContext of(VersionVector vector) {
    return vector.isEmpty() ? EMPTY : new CausalContext(vector, NO_DOTS);
  }

  /** The context holding every dot at or below {@code vector} and each of {@code dots}. */
  public static CausalContext of(VersionVector vector, Collection<Dot> dots) {
    return compact(vector, new TreeSet<>(dots));
  }

  /** The context holding exactly {@code dots}. */
  public static CausalContext ofDots(Collection<Dot> dots) {
    return of(VersionVector.empty(), dots);
  }

  /** Folds every dot that extends the vector's contiguous prefix into it and drops covered dots. */
  private static CausalContext compact(VersionVector vector, TreeSet<Dot> dots) {
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
    return new CausalContext(folded, remaining.toArray(NO_DOTS));
  }

  /** True when {@code dot} is in this context. */
  public boolean contains(Dot dot) {
    return compact.contains(dot) || Arrays.binarySearch(cloud, dot) >= 0;
  }

  /** This context with {@code dot} added. */
  public CausalContext add(Dot dot) {
    if (contains(dot)) {
      return this;
    }
    if (compact.get(dot.replica()) + 1 == dot.counter()) {
      if (cloud.length == 0) {
        // The common case of a replica's next event: nothing in a cloud to fold.
        return new CausalContext(compact.with(dot.replica(), dot.counter()), NO_DOTS);
      }
      TreeSet<Dot> dots = new TreeSet<>(Arrays.asList(cloud));
      return compact(compact.with(dot.replica(), dot.counter()), dots);
    }
    Dot[] dots = Arrays.copyOf(cloud, cloud.length + 1);
    int insertAt = -Arrays.binarySearch(cloud, dot) - 1;
    System.arraycopy(cloud, insertAt, dots, insertAt + 1, cloud.length - insertAt);
    dots[insertAt] = dot;
    return new CausalContext(compact, dots);
  }

  /** The union of the two contexts (their join). */
  public CausalContext merge(CausalContext other) {
    if (other == this || other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    VersionVector vector = compact.merge(other.compact);
    if (cloud.length == 0 && other.cloud.length == 0) {
      return new CausalContext(vector, NO_DOTS);
    }
    TreeSet<Dot> dots = new TreeSet<>(Arrays.asList(cloud));
    dots.addAll(Arrays.asList(other.cloud));
    return compact(vector, dots);
  }

  /**
   * The canonical form of this context. Contexts are kept canonical on every operation, so this
   * returns {@code this}; it exists so callers can state the intent.
   */
  public CausalContext compact() {
    return this;
  }

  /** The largest counter of {@code replica} in this context, or 0. */
  public long max(String replica) {
    long max = compact.get(replica);
    for (Dot dot : cloud) {
      if (dot.replica().equals(replica) && dot.counter() > max) {
        max = dot.counter();
      }
    }
    return max;
  }

  /** The next fresh dot for {@code replica}: one above the largest it has in this context. */
  public Dot nextDot(String replica) {
    return new Dot(replica, max(replica) + 1);
  }

  /** The vector of contiguous prefixes. */
  public VersionVector compactVector() {
    return compact;
  }

  /** The dots beyond the compact vector, in ascending order. */
  public List<Dot> cloud() {
    return Collections.unmodifiableList(Arrays.asList(cloud));
  }

  /**
   * The smallest version vector that covers every dot of this context (the compact vector joined
   * with the cloud's maxima).
   */
  public VersionVector covering() {
    VersionVector vector = compact;
    for (Dot dot : cloud) {
      if (dot.counter() > vector.get(dot.replica())) {
        vector = vector.with(dot.replica(), dot.counter());
      }
    }
    return vector;
  }

  public boolean isEmpty() {
    return compact.isEmpty() && cloud.length == 0;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CausalContext context
        && compact.equals(context.compact)
        && Arrays.equals(cloud, context.cloud);
  }

  @Override
  public int hashCode() {
    return 31 * compact.hashCode() + Arrays.hashCode(cloud);
  }

  @Override
  public String toString() {
    return "CausalContext" + compact + (cloud.length == 0 ? "" : Arrays.toString(cloud));
  }
}
