package io.meridian.clocks;

import static io.meridian.clocks.ClocksArbitraries.REPLICAS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.VersionVector.Ordering;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Version vectors as a lattice: the partial-order laws of {@code dominates}/{@code compare}, {@code
 * merge} as least upper bound and {@code meet} as greatest lower bound, each checked against a
 * plain map model, and the accessors.
 */
class VersionVectorTest {

  @Provide
  Arbitrary<VersionVector> vectors() {
    return ClocksArbitraries.versionVectors();
  }

  @Provide
  Arbitrary<Map<String, Long>> maps() {
    return ClocksArbitraries.counterMaps();
  }

  /** The model order: every replica's counter at least the other's. */
  private static boolean modelDominates(VersionVector left, VersionVector right) {
    for (String replica : REPLICAS) {
      if (left.get(replica) < right.get(replica)) {
        return false;
      }
    }
    return true;
  }

  // ---- partial order

  @Property
  void dominatesIsReflexive(@ForAll("vectors") VersionVector vector) {
    assertThat(vector.dominates(vector)).isTrue();
    assertThat(vector.compare(vector)).isEqualTo(Ordering.EQUAL);
  }

  @Property
  void dominatesAgreesWithTheModel(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    assertThat(left.dominates(right)).isEqualTo(modelDominates(left, right));
  }

  @Property
  void dominatesIsAntisymmetric(@ForAll("maps") Map<String, Long> map, @ForAll long shuffleSeed) {
    VersionVector left = VersionVector.of(map);
    VersionVector right = rebuiltInRandomOrder(map, shuffleSeed);
    // Vectors built differently from the same entries dominate each other, so must be equal.
    assertThat(left.dominates(right) && right.dominates(left)).isTrue();
    assertThat(left).isEqualTo(right).hasSameHashCodeAs(right);
  }

  @Property
  void mutualDominanceMeansEqual(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    boolean mutual = left.dominates(right) && right.dominates(left);
    assertThat(mutual).isEqualTo(left.equals(right));
  }

  @Property
  void dominatesIsTransitiveAlongAChain(
      @ForAll("maps") Map<String, Long> top,
      @ForAll("maps") Map<String, Long> firstDrop,
      @ForAll("maps") Map<String, Long> secondDrop) {
    Map<String, Long> middle = ClocksArbitraries.lowered(top, firstDrop);
    VersionVector high = VersionVector.of(top);
    VersionVector mid = VersionVector.of(middle);
    VersionVector low = VersionVector.of(ClocksArbitraries.lowered(middle, secondDrop));
    assertThat(high.dominates(mid)).isTrue();
    assertThat(mid.dominates(low)).isTrue();
    assertThat(high.dominates(low)).isTrue();
    assertThat(high.compare(low)).isIn(Ordering.AFTER, Ordering.EQUAL);
  }

  @Property
  void dominatesIsTransitive(
      @ForAll("vectors") VersionVector a,
      @ForAll("vectors") VersionVector b,
      @ForAll("vectors") VersionVector c) {
    if (a.dominates(b) && b.dominates(c)) {
      assertThat(a.dominates(c)).isTrue();
    }
  }

  @Property
  void compareAgreesWithDominates(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    boolean forward = left.dominates(right);
    boolean backward = right.dominates(left);
    Ordering expected =
        forward && backward
            ? Ordering.EQUAL
            : forward ? Ordering.AFTER : backward ? Ordering.BEFORE : Ordering.CONCURRENT;
    assertThat(left.compare(right)).isEqualTo(expected);
    assertThat(right.compare(left)).isEqualTo(mirror(expected));
  }

  private static Ordering mirror(Ordering ordering) {
    return switch (ordering) {
      case BEFORE -> Ordering.AFTER;
      case AFTER -> Ordering.BEFORE;
      default -> ordering;
    };
  }

  // ---- merge: least upper bound

  @Property
  void mergeIsTheEntrywiseMaximum(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    VersionVector merged = left.merge(right);
    for (String replica : REPLICAS) {
      assertThat(merged.get(replica)).isEqualTo(Math.max(left.get(replica), right.get(replica)));
    }
    assertThat(merged.replicas()).allMatch(replica -> merged.get(replica) > 0);
  }

  @Property
  void mergeIsCommutative(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    assertThat(left.merge(right)).isEqualTo(right.merge(left));
  }

  @Property
  void mergeIsAssociative(
      @ForAll("vectors") VersionVector a,
      @ForAll("vectors") VersionVector b,
      @ForAll("vectors") VersionVector c) {
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
  }

  @Property
  void mergeIsIdempotent(
      @ForAll("vectors") VersionVector vector, @ForAll("vectors") VersionVector other) {
    assertThat(vector.merge(vector)).isEqualTo(vector);
    assertThat(vector.merge(other).merge(other)).isEqualTo(vector.merge(other));
    assertThat(vector.merge(VersionVector.empty())).isEqualTo(vector);
  }

  @Property
  void mergeIsTheLeastUpperBound(
      @ForAll("vectors") VersionVector a,
      @ForAll("vectors") VersionVector b,
      @ForAll("vectors") VersionVector c) {
    VersionVector merged = a.merge(b);
    assertThat(merged.dominates(a)).isTrue();
    assertThat(merged.dominates(b)).isTrue();
    // Any upper bound of both, here one made from c, dominates the merge.
    VersionVector upper = c.merge(a).merge(b);
    assertThat(upper.dominates(merged)).isTrue();
    if (c.dominates(a) && c.dominates(b)) {
      assertThat(c.dominates(merged)).isTrue();
    }
  }

  // ---- meet: greatest lower bound

  @Property
  void meetIsTheEntrywiseMinimum(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    VersionVector met = left.meet(right);
    for (String replica : REPLICAS) {
      assertThat(met.get(replica)).isEqualTo(Math.min(left.get(replica), right.get(replica)));
    }
    assertThat(met.replicas()).allMatch(replica -> met.get(replica) > 0);
  }

  @Property
  void meetIsTheGreatestLowerBound(
      @ForAll("vectors") VersionVector a,
      @ForAll("vectors") VersionVector b,
      @ForAll("vectors") VersionVector c) {
    VersionVector met = a.meet(b);
    assertThat(a.dominates(met)).isTrue();
    assertThat(b.dominates(met)).isTrue();
    assertThat(met).isEqualTo(b.meet(a));
    assertThat(a.meet(a)).isEqualTo(a);
    assertThat(a.meet(b).meet(c)).isEqualTo(a.meet(b.meet(c)));
    VersionVector lower = c.meet(a).meet(b);
    assertThat(met.dominates(lower)).isTrue();
    if (a.dominates(c) && b.dominates(c)) {
      assertThat(met.dominates(c)).isTrue();
    }
  }

  @Property
  void mergeAndMeetAbsorb(
      @ForAll("vectors") VersionVector left, @ForAll("vectors") VersionVector right) {
    assertThat(left.merge(left.meet(right))).isEqualTo(left);
    assertThat(left.meet(left.merge(right))).isEqualTo(left);
  }

  // ---- accessors and updates

  @Property
  void incrementAddsOneToOneReplica(
      @ForAll("vectors") VersionVector vector, @ForAll("replicas") String replica) {
    VersionVector incremented = vector.increment(replica);
    for (String other : REPLICAS) {
      long expected = vector.get(other) + (other.equals(replica) ? 1 : 0);
      assertThat(incremented.get(other)).isEqualTo(expected);
    }
    assertThat(incremented.compare(vector)).isEqualTo(Ordering.AFTER);
    assertThat(incremented.total()).isEqualTo(vector.total() + 1);
    assertThat(incremented.contains(new Dot(replica, vector.get(replica) + 1))).isTrue();
    assertThat(vector.contains(new Dot(replica, vector.get(replica) + 1))).isFalse();
  }

  @Provide
  Arbitrary<String> replicas() {
    return ClocksArbitraries.replicas();
  }

  @Property
  void withSetsOneReplica(
      @ForAll("vectors") VersionVector vector,
      @ForAll("replicas") String replica,
      @ForAll @LongRange(min = 0, max = 20) long counter) {
    VersionVector changed = vector.with(replica, counter);
    for (String other : REPLICAS) {
      long expected = other.equals(replica) ? counter : vector.get(other);
      assertThat(changed.get(other)).isEqualTo(expected);
    }
    assertThat(changed.replicas().contains(replica)).isEqualTo(counter > 0);
    assertThat(changed).isEqualTo(VersionVector.of(withEntry(vector.toMap(), replica, counter)));
  }

  @Property
  void accessorsAgreeWithTheEntries(@ForAll("maps") Map<String, Long> map) {
    VersionVector vector = VersionVector.of(map);
    Map<String, Long> nonZero = new HashMap<>(map);
    nonZero.values().removeIf(counter -> counter == 0);
    List<String> sorted = new ArrayList<>(nonZero.keySet());
    Collections.sort(sorted);
    assertThat(vector.toMap()).isEqualTo(nonZero);
    assertThat(new ArrayList<>(vector.toMap().keySet())).isEqualTo(sorted);
    assertThat(vector.replicas()).isEqualTo(sorted);
    assertThat(vector.size()).isEqualTo(nonZero.size());
    assertThat(vector.isEmpty()).isEqualTo(nonZero.isEmpty());
    assertThat(vector.total())
        .isEqualTo(nonZero.values().stream().mapToLong(Long::longValue).sum());
    for (String replica : REPLICAS) {
      assertThat(vector.get(replica)).isEqualTo(map.getOrDefault(replica, 0L));
    }
    assertThat(VersionVector.of(vector.toMap())).isEqualTo(vector);
  }

  @Property
  void getFindsNamesThatAreEqualButNotTheSameInstance(@ForAll("vectors") VersionVector vector) {
    for (String replica : REPLICAS) {
      String copy = new String(replica.toCharArray());
      assertThat(vector.get(copy)).isEqualTo(vector.get(replica));
    }
  }

  /**
   * Merge and meet of a vector with one below it (some counters lowered or dropped, names as other
   * instances): the model's entrywise results, and the covering operand itself comes back.
   */
  @Property
  void mergeAndMeetWithACoveredVector(@ForAll("vectors") VersionVector upper, @ForAll long seed) {
    Random random = new Random(seed);
    Map<String, Long> lowered = new HashMap<>();
    for (String replica : upper.replicas()) {
      long counter = upper.get(replica);
      long kept =
          random.nextBoolean() ? counter : random.nextInt((int) Math.min(counter + 1, 1000));
      lowered.put(new String(replica.toCharArray()), Math.min(kept, counter));
    }
    VersionVector lower = VersionVector.of(lowered);
    assertThat(upper.dominates(lower)).isTrue();
    assertThat(lower.dominates(upper)).isEqualTo(lower.equals(upper));
    assertThat(upper.merge(lower)).isSameAs(upper);
    assertThat(lower.merge(upper)).isEqualTo(upper);
    assertThat(upper.meet(lower)).isEqualTo(lower);
    assertThat(lower.meet(upper)).isSameAs(lower);
    for (String replica : REPLICAS) {
      assertThat(upper.merge(lower).get(replica)).isEqualTo(upper.get(replica));
      assertThat(upper.meet(lower).get(replica)).isEqualTo(lower.get(replica));
    }
  }

  @Property
  void equalityIsStructural(
      @ForAll("maps") Map<String, Long> left, @ForAll("maps") Map<String, Long> right) {
    Map<String, Long> leftNonZero = new HashMap<>(left);
    leftNonZero.values().removeIf(counter -> counter == 0);
    Map<String, Long> rightNonZero = new HashMap<>(right);
    rightNonZero.values().removeIf(counter -> counter == 0);
    assertThat(VersionVector.of(left).equals(VersionVector.of(right)))
        .isEqualTo(leftNonZero.equals(rightNonZero));
  }

  @Example
  void badEntriesAreRejected() {
    assertThatThrownBy(() -> VersionVector.of("a", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VersionVector.of("Not-Valid", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VersionVector.of("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VersionVector.empty().with("a", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VersionVector.empty().with("-a", 1))
        .isInstanceOf(IllegalArgumentException.class);
    VersionVector full = VersionVector.of("a", Long.MAX_VALUE);
    assertThatThrownBy(() -> full.increment("a")).isInstanceOf(ArithmeticException.class);
    assertThat(full.get("a")).isEqualTo(Long.MAX_VALUE);
  }

  @Example
  void emptyVectorHasSeenNothing() {
    VersionVector empty = VersionVector.empty();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.get("a")).isZero();
    assertThat(empty.total()).isZero();
    assertThat(empty.contains(new Dot("a", 1))).isFalse();
    assertThat(VersionVector.of("a", 0)).isEqualTo(empty);
    assertThat(VersionVector.of("a", 3).with("a", 0)).isEqualTo(empty);
    assertThat(empty.compare(VersionVector.of("a", 1))).isEqualTo(Ordering.BEFORE);
    assertThat(VersionVector.of("a", 1).compare(VersionVector.of("b", 1)))
        .isEqualTo(Ordering.CONCURRENT);
  }

  private static Map<String, Long> withEntry(Map<String, Long> map, String replica, long counter) {
    Map<String, Long> copy = new HashMap<>(map);
    copy.put(replica, counter);
    return copy;
  }

  /** The same entries, set one by one with {@code with} in a random order. */
  static VersionVector rebuiltInRandomOrder(Map<String, Long> map, long shuffleSeed) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(map.entrySet());
    Collections.shuffle(entries, new Random(shuffleSeed));
    VersionVector vector = VersionVector.empty();
    for (Map.Entry<String, Long> entry : entries) {
      vector = vector.with(entry.getKey(), entry.getValue());
    }
    return vector;
  }
}
