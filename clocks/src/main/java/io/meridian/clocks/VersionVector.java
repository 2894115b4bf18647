package io.meridian.clocks;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable version vector: for each replica, how many of its events have been seen (Parker et
 * al., 1983; Mattern, 1989). A replica that is absent counts 0.
 *
 * <p>Stored as two parallel arrays sorted by replica name, so a vector of up to 16 regions is a few
 * small arrays and every operation is a linear merge. {@link #equals} is structural: two vectors
 * are equal when they map every replica to the same counter.
 */
public final class VersionVector {
  private static final String[] NO_REPLICAS = new String[0];
  private static final long[] NO_COUNTERS = new long[0];
  private static final VersionVector EMPTY = new VersionVector(NO_REPLICAS, NO_COUNTERS);
  private static final int THIS_COVERS = 1;
  private static final int OTHER_COVERS = 2;

  /** How two vectors relate in the happened-before partial order. */
  public enum Ordering {
    BEFORE,
    AFTER,
    EQUAL,
    CONCURRENT
  }

  private final String[] replicas;
  private final long[] counters;

  private VersionVector(String[] replicas, long[] counters) {
    this.replicas = replicas;
    this.counters = counters;
  }

  /** The vector that has seen nothing. */
  public static VersionVector empty() {
    return EMPTY;
  }

  /** A vector from a map; entries with counter 0 are dropped, negative counters are rejected. */
  public static VersionVector of(Map<String, Long> entries) {
    SortedMap<String, Long> sorted = new TreeMap<>();
    for (Map.Entry<String, Long> entry : entries.entrySet()) {
      long counter = entry.getValue();
      if (counter < 0) {
        throw new IllegalArgumentException("negative counter for " + entry.getKey());
      }
      if (counter > 0) {
        sorted.put(ReplicaIds.require(entry.getKey()), counter);
      }
    }
    String[] names = new String[sorted.size()];
    long[] values = new long[sorted.size()];
    int i = 0;
    for (Map.Entry<String, Long> entry : sorted.entrySet()) {
      names[i] = entry.getKey();
      values[i] = entry.getValue();
      i++;
    }
    return names.length == 0 ? EMPTY : new VersionVector(names, values);
  }

  /**
   * A vector that takes ownership of the arrays, which the caller has checked: names valid and
   * strictly ascending, counters positive, the same length, at least one entry.
   */
  static VersionVector ofSorted(String[] replicas, long[] counters) {
    return new VersionVector(replicas, counters);
  }

  /** The {@code index}-th replica in ascending order, for encoders in this package. */
  String replicaAt(int index) {
    return replicas[index];
  }

  /** The counter of {@link #replicaAt}, for encoders in this package. */
  long counterAt(int index) {
    return counters[index];
  }

  /** A vector with a single entry. */
  public static VersionVector of(String replica, long counter) {
    return of(Map.of(replica, counter));
  }

  /** How many of {@code replica}'s events this vector has seen. */
  public long get(String replica) {
    // Callers mostly pass the very name instances the vector holds: a scan by identity finds them
    // without comparing characters; names it misses are found by their order.
    for (int i = 0; i < replicas.length; i++) {
      if (replicas[i] == replica) {
        return counters[i];
      }
    }
    int index = Arrays.binarySearch(replicas, replica);
    return index >= 0 ? counters[index] : 0;
  }

  /** True when the event {@code dot} is among those this vector has seen. */
  public boolean contains(Dot dot) {
    return dot.counter() <= get(dot.replica());
  }

  /** This vector with {@code replica}'s counter one higher. */
  public VersionVector increment(String replica) {
    long current = get(replica);
    if (current == Long.MAX_VALUE) {
      throw new ArithmeticException("counter overflow for " + replica);
    }
    return with(replica, current + 1);
  }

  /** This vector with {@code replica}'s counter set to {@code counter} (which may go down). */
  public VersionVector with(String replica, long counter) {
    if (counter < 0) {
      throw new IllegalArgumentException("negative counter for " + replica);
    }
    int index = Arrays.binarySearch(replicas, replica);
    if (index >= 0) {
      if (counters[index] == counter) {
        return this;
      }
      if (counter == 0) {
        return remove(index);
      }
      long[] values = counters.clone();
      values[index] = counter;
      return new VersionVector(replicas, values);
    }
    if (counter == 0) {
      return this;
    }
    ReplicaIds.require(replica);
    int insertAt = -index - 1;
    String[] names = new String[replicas.length + 1];
    long[] values = new long[counters.length + 1];
    System.arraycopy(replicas, 0, names, 0, insertAt);
    System.arraycopy(counters, 0, values, 0, insertAt);
    names[insertAt] = replica;
    values[insertAt] = counter;
    System.arraycopy(replicas, insertAt, names, insertAt + 1, replicas.length - insertAt);
    System.arraycopy(counters, insertAt, values, insertAt + 1, counters.length - insertAt);
    return new VersionVector(names, values);
  }

  private VersionVector remove(int index) {
    if (replicas.length == 1) {
      return EMPTY;
    }
    String[] names = new String[replicas.length - 1];
    long[] values = new long[counters.length - 1];
    System.arraycopy(replicas, 0, names, 0, index);
    System.arraycopy(counters, 0, values, 0, index);
    System.arraycopy(replicas, index + 1, names, index, replicas.length - index - 1);
    System.arraycopy(counters, index + 1, values, index, counters.length - index - 1);
    return new VersionVector(names, values);
  }

  /** The least upper bound: for each replica, the larger counter. */
  public VersionVector merge(VersionVector other) {
    if (other.replicas.length == 0 || other == this) {
      return this;
    }
    if (replicas.length == 0) {
      return other;
    }
    int covering = covering(other);
    if ((covering & THIS_COVERS) != 0) {
      return this;
    }
    if ((covering & OTHER_COVERS) != 0) {
      return other;
    }
    return combine(other, true);
  }

  /** The greatest lower bound: for each replica, the smaller counter. */
  public VersionVector meet(VersionVector other) {
    if (other == this) {
      return this;
    }
    int covering = covering(other);
    if ((covering & OTHER_COVERS) != 0) {
      return this;
    }
    if ((covering & THIS_COVERS) != 0) {
      return other;
    }
    return combine(other, false);
  }

  /**
   * In one walk over both sorted arrays, without allocating: {@link #THIS_COVERS} when this vector
   * is at or above {@code other} everywhere, {@link #OTHER_COVERS} when {@code other} is at or
   * above this one, both when they are equal. Merge and meet then return an operand as it is.
   */
  private int covering(VersionVector other) {
    boolean thisCovers = true;
    boolean otherCovers = true;
    int i = 0;
    int j = 0;
    while ((thisCovers || otherCovers) && (i < replicas.length || j < other.replicas.length)) {
      int order;
      if (i == replicas.length) {
        order = 1;
      } else if (j == other.replicas.length) {
        order = -1;
      } else if (replicas[i] == other.replicas[j]) {
        order = 0;
      } else {
        order = replicas[i].compareTo(other.replicas[j]);
      }
      if (order == 0) {
        thisCovers &= counters[i] >= other.counters[j];
        otherCovers &= other.counters[j] >= counters[i];
        i++;
        j++;
      } else if (order < 0) {
        otherCovers = false;
        i++;
      } else {
        thisCovers = false;
        j++;
      }
    }
    return (thisCovers ? THIS_COVERS : 0) | (otherCovers ? OTHER_COVERS : 0);
  }

  private VersionVector combine(VersionVector other, boolean upper) {
    if (sameReplicas(other)) {
      // The common case of vectors over the same regions: every counter of the result is positive,
      // so it shares this vector's names and needs one new array.
      long[] values = new long[counters.length];
      for (int i = 0; i < values.length; i++) {
        values[i] =
            upper
                ? Math.max(counters[i], other.counters[i])
                : Math.min(counters[i], other.counters[i]);
      }
      return new VersionVector(replicas, values);
    }
    String[] names = new String[replicas.length + other.replicas.length];
    long[] values = new long[names.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < replicas.length || j < other.replicas.length) {
      int order =
          i == replicas.length
              ? 1
              : j == other.replicas.length ? -1 : replicas[i].compareTo(other.replicas[j]);
      String name;
      long value;
      if (order == 0) {
        name = replicas[i];
        value =
            upper
                ? Math.max(counters[i], other.counters[j])
                : Math.min(counters[i], other.counters[j]);
        i++;
        j++;
      } else if (order < 0) {
        name = replicas[i];
        value = upper ? counters[i] : 0;
        i++;
      } else {
        name = other.replicas[j];
        value = upper ? other.counters[j] : 0;
        j++;
      }
      if (value > 0) {
        names[n] = name;
        values[n] = value;
        n++;
      }
    }
    if (n == 0) {
      return EMPTY;
    }
    return new VersionVector(Arrays.copyOf(names, n), Arrays.copyOf(values, n));
  }

  private boolean sameReplicas(VersionVector other) {
    if (replicas == other.replicas) {
      return true;
    }
    if (replicas.length != other.replicas.length) {
      return false;
    }
    for (int i = 0; i < replicas.length; i++) {
      if (replicas[i] != other.replicas[i] && !replicas[i].equals(other.replicas[i])) {
        return false;
      }
    }
    return true;
  }

  /** True when this vector has seen everything {@code other} has (this ≥ other). */
  public boolean dominates(VersionVector other) {
    if (other == this || other.replicas.length == 0) {
      return true;
    }
    return (covering(other) & THIS_COVERS) != 0;
  }

  /** Where this vector stands relative to {@code other}. */
  public Ordering compare(VersionVector other) {
    boolean thisCovers = dominates(other);
    boolean otherCovers = other.dominates(this);
    if (thisCovers && otherCovers) {
      return Ordering.EQUAL;
    }
    if (thisCovers) {
      return Ordering.AFTER;
    }
    if (otherCovers) {
      return Ordering.BEFORE;
    }
    return Ordering.CONCURRENT;
  }

  /** The sum of all counters: how many events this vector has seen. */
  public long total() {
    long sum = 0;
    for (long counter : counters) {
      sum += counter;
    }
    return sum;
  }

  public boolean isEmpty() {
    return replicas.length == 0;
  }

  /** Number of replicas with a counter above 0. */
  public int size() {
    return replicas.length;
  }

  /** Replicas with a counter above 0, in ascending order. */
  public List<String> replicas() {
    return Collections.unmodifiableList(Arrays.asList(replicas));
  }

  /** The entries in ascending replica order. */
  public Map<String, Long> toMap() {
    Map<String, Long> map = new LinkedHashMap<>();
    for (int i = 0; i < replicas.length; i++) {
      map.put(replicas[i], counters[i]);
    }
    return Collections.unmodifiableMap(map);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VersionVector vector
        && Arrays.equals(replicas, vector.replicas)
        && Arrays.equals(counters, vector.counters);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(replicas) + Arrays.hashCode(counters);
  }

  @Override
  public String toString() {
    return toMap().toString();
  }
}
