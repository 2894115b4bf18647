package io.meridian.clocks;

import java.util.Comparator;

/**
 * One event: the {@code counter}-th event of {@code replica}, counting from 1. Dots order by
 * replica name, then counter.
 *
 * @param replica the replica that made the event
 * @param counter its position among that replica's events, at least 1
 */
public record Dot(String replica, long counter) implements Comparable<Dot> {
  private static final Comparator<Dot> ORDER =
      Comparator.comparing(Dot::replica).thenComparingLong(Dot::counter);

  public Dot {
    ReplicaIds.require(replica);
    if (counter < 1) {
      throw new IllegalArgumentException("dot counter must be at least 1: " + counter);
    }
  }

  @Override
  public int compareTo(Dot other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return replica + ":" + counter;
  }
}
