package io.meridian.replication.simulation;

import io.meridian.clocks.Dot;
import java.util.Comparator;

/**
 * One key update of the simulated workload: the {@code ordinal}-th key update of entry {@code
 * (origin, seq)}.
 */
record UpdateId(String origin, long seq, int ordinal) implements Comparable<UpdateId> {
  private static final Comparator<UpdateId> ORDER =
      Comparator.comparing(UpdateId::origin)
          .thenComparingLong(UpdateId::seq)
          .thenComparingInt(UpdateId::ordinal);

  Dot dot() {
    return new Dot(origin, seq);
  }

  @Override
  public int compareTo(UpdateId other) {
    return ORDER.compare(this, other);
  }
}
