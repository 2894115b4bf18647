package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import java.util.ArrayList;
import java.util.List;

/**
 * Causal-context operations the clocks module does not offer. (The union is {@link
 * CausalContext#merge}: O(k log n) for a few dots, one ordered walk over both clouds otherwise.)
 */
final class Contexts {
  private Contexts() {}

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
}
