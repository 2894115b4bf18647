package io.meridian.clocks;

import static io.meridian.clocks.ClocksArbitraries.REPLICAS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Causal contexts against a plain {@code Set<Dot>} model: every operation must keep exactly the
 * dots the model holds, checked for every dot of the pool's replicas in a counter range past the
 * largest generated, and must keep the representation canonical.
 */
class CausalContextTest {
  private static final Set<Dot> UNIVERSE = ClocksArbitraries.universe();

  @Provide
  Arbitrary<Set<Dot>> dotSets() {
    return ClocksArbitraries.dotSets();
  }

  @Provide
  Arbitrary<Map<String, Long>> vectors() {
    return ClocksArbitraries.counterMaps();
  }

  @Provide
  Arbitrary<Dot> dots() {
    return ClocksArbitraries.dots();
  }

  @Provide
  Arbitrary<String> replicas() {
    return ClocksArbitraries.replicas();
  }

  /** Checks that {@code context} holds exactly {@code model}, and is in canonical form. */
  private static void assertHoldsExactly(CausalContext context, Set<Dot> model) {
    for (Dot dot : UNIVERSE) {
      assertThat(context.contains(dot)).as("contains %s", dot).isEqualTo(model.contains(dot));
    }
    assertCanonical(context);
    assertThat(context.isEmpty()).isEqualTo(model.isEmpty());
  }

  /** The vector is every replica's contiguous prefix; the cloud is sorted and beyond it. */
  private static void assertCanonical(CausalContext context) {
    VersionVector compact = context.compactVector();
    Dot previous = null;
    for (Dot dot : context.cloud()) {
      assertThat(dot.counter())
          .as("cloud dot %s", dot)
          .isGreaterThan(compact.get(dot.replica()) + 1);
      if (previous != null) {
        assertThat(previous).isLessThan(dot);
      }
      previous = dot;
    }
  }

  private static long prefix(Set<Dot> model, String replica) {
    long counter = 0;
    while (model.contains(new Dot(replica, counter + 1))) {
      counter++;
    }
    return counter;
  }

  private static long max(Set<Dot> model, String replica) {
    return model.stream()
        .filter(dot -> dot.replica().equals(replica))
        .mapToLong(Dot::counter)
        .max()
        .orElse(0);
  }

  // ---- construction and compaction

  @Property
  void compactionPreservesMembership(@ForAll("dotSets") Set<Dot> dots) {
    CausalContext context = CausalContext.ofDots(dots);
    assertHoldsExactly(context, dots);
    assertThat(context.compact()).isEqualTo(context);
    for (String replica : REPLICAS) {
      assertThat(context.compactVector().get(replica)).isEqualTo(prefix(dots, replica));
    }
  }

  @Property
  void vectorPlusDotsHoldsBoth(
      @ForAll("vectors") Map<String, Long> vector, @ForAll("dotSets") Set<Dot> dots) {
    CausalContext context = CausalContext.of(VersionVector.of(vector), dots);
    assertHoldsExactly(context, ClocksArbitraries.model(vector, dots));
    assertThat(CausalContext.of(VersionVector.of(vector)))
        .isEqualTo(CausalContext.of(VersionVector.of(vector), List.of()));
  }

  @Property
  void equalSetsGiveEqualContexts(@ForAll("dotSets") Set<Dot> dots, @ForAll long shuffleSeed) {
    CausalContext fromSet = CausalContext.ofDots(dots);
    CausalContext added = addAllInRandomOrder(dots, shuffleSeed);
    assertThat(added).isEqualTo(fromSet).hasSameHashCodeAs(fromSet);
    assertThat(added.compactVector()).isEqualTo(fromSet.compactVector());
    assertThat(added.cloud()).isEqualTo(fromSet.cloud());
  }

  @Property
  void equalityIsMembership(@ForAll("dotSets") Set<Dot> left, @ForAll("dotSets") Set<Dot> right) {
    assertThat(CausalContext.ofDots(left).equals(CausalContext.ofDots(right)))
        .isEqualTo(left.equals(right));
  }

  // ---- add

  @Property
  void addInsertsOneDot(@ForAll("dotSets") Set<Dot> dots, @ForAll("dots") Dot dot) {
    CausalContext context = CausalContext.ofDots(dots);
    Set<Dot> model = new HashSet<>(dots);
    model.add(dot);
    CausalContext added = context.add(dot);
    assertHoldsExactly(added, model);
    assertThat(added.add(dot)).isEqualTo(added);
    assertHoldsExactly(context, dots); // immutable: the original is untouched
  }

  @Property
  void addingOneByOneFoldsIntoTheVector(@ForAll("replicas") String replica) {
    CausalContext context = CausalContext.empty();
    for (long counter = ClocksArbitraries.COUNTER_MAX; counter >= 2; counter--) {
      context = context.add(new Dot(replica, counter));
    }
    assertThat(context.compactVector().isEmpty()).isTrue();
    assertThat(context.cloud()).hasSize(ClocksArbitraries.COUNTER_MAX - 1);
    context = context.add(new Dot(replica, 1));
    assertThat(context.cloud()).isEmpty();
    assertThat(context.compactVector())
        .isEqualTo(VersionVector.of(replica, ClocksArbitraries.COUNTER_MAX));
  }

  // ---- merge

  @Property
  void mergeHoldsTheUnion(@ForAll("dotSets") Set<Dot> left, @ForAll("dotSets") Set<Dot> right) {
    Set<Dot> union = new HashSet<>(left);
    union.addAll(right);
    assertHoldsExactly(CausalContext.ofDots(left).merge(CausalContext.ofDots(right)), union);
  }

  @Property
  void mergeOfVectorsAndCloudsHoldsTheUnion(
      @ForAll("vectors") Map<String, Long> leftVector,
      @ForAll("dotSets") Set<Dot> leftDots,
      @ForAll("vectors") Map<String, Long> rightVector,
      @ForAll("dotSets") Set<Dot> rightDots) {
    Set<Dot> union = ClocksArbitraries.model(leftVector, leftDots);
    union.addAll(ClocksArbitraries.model(rightVector, rightDots));
    CausalContext left = CausalContext.of(VersionVector.of(leftVector), leftDots);
    CausalContext right = CausalContext.of(VersionVector.of(rightVector), rightDots);
    assertHoldsExactly(left.merge(right), union);
  }

  @Provide
  Arbitrary<CausalContext> contexts() {
    return ClocksArbitraries.causalContexts();
  }

  @Property
  void mergeIsCommutative(
      @ForAll("contexts") CausalContext left, @ForAll("contexts") CausalContext right) {
    assertThat(left.merge(right)).isEqualTo(right.merge(left));
  }

  @Property
  void mergeIsAssociative(
      @ForAll("contexts") CausalContext a,
      @ForAll("contexts") CausalContext b,
      @ForAll("contexts") CausalContext c) {
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
  }

  @Property
  void mergeIsIdempotent(
      @ForAll("contexts") CausalContext context, @ForAll("contexts") CausalContext other) {
    assertThat(context.merge(context)).isEqualTo(context);
    assertThat(context.merge(other).merge(other)).isEqualTo(context.merge(other));
    assertThat(context.merge(CausalContext.empty())).isEqualTo(context);
    assertThat(CausalContext.empty().merge(context)).isEqualTo(context);
  }

  @Property
  void mergeOfAPartitionRebuildsTheWhole(@ForAll("dotSets") Set<Dot> dots, @ForAll long seed) {
    Random random = new Random(seed);
    Set<Dot> left = new HashSet<>();
    Set<Dot> right = new HashSet<>();
    for (Dot dot : dots) {
      (random.nextBoolean() ? left : right).add(dot);
    }
    CausalContext merged = CausalContext.ofDots(left).merge(CausalContext.ofDots(right));
    assertThat(merged).isEqualTo(CausalContext.ofDots(dots));
  }

  // ---- maxima, next dot, covering vector

  @Property
  void nextDotIsFreshAndAboveEveryDot(
      @ForAll("vectors") Map<String, Long> vector,
      @ForAll("dotSets") Set<Dot> dots,
      @ForAll("replicas") String replica) {
    Set<Dot> model = ClocksArbitraries.model(vector, dots);
    CausalContext context = CausalContext.of(VersionVector.of(vector), dots);
    Dot next = context.nextDot(replica);
    assertThat(context.max(replica)).isEqualTo(max(model, replica));
    assertThat(next).isEqualTo(new Dot(replica, max(model, replica) + 1));
    assertThat(context.contains(next)).isFalse();
    assertThat(context.add(next).max(replica)).isEqualTo(next.counter());
  }

  @Property
  void coveringIsTheSmallestVectorAboveEveryDot(
      @ForAll("vectors") Map<String, Long> vector, @ForAll("dotSets") Set<Dot> dots) {
    Set<Dot> model = ClocksArbitraries.model(vector, dots);
    VersionVector covering = CausalContext.of(VersionVector.of(vector), dots).covering();
    for (String replica : REPLICAS) {
      assertThat(covering.get(replica)).isEqualTo(max(model, replica));
    }
    assertThat(model).allMatch(covering::contains);
  }

  @Example
  void emptyContextHoldsNothing() {
    CausalContext empty = CausalContext.empty();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.cloud()).isEmpty();
    assertThat(empty.compactVector()).isEqualTo(VersionVector.empty());
    assertThat(empty.covering()).isEqualTo(VersionVector.empty());
    assertThat(empty.nextDot("a")).isEqualTo(new Dot("a", 1));
    assertThat(CausalContext.ofDots(List.of())).isEqualTo(empty);
    assertThat(CausalContext.of(VersionVector.empty())).isEqualTo(empty);
  }

  @Example
  void gapsStayInTheCloudUntilFilled() {
    CausalContext context =
        CausalContext.ofDots(List.of(new Dot("a", 1), new Dot("a", 3), new Dot("b", 2)));
    assertThat(context.compactVector()).isEqualTo(VersionVector.of("a", 1));
    assertThat(context.cloud()).containsExactly(new Dot("a", 3), new Dot("b", 2));
    CausalContext filled = context.add(new Dot("a", 2)).add(new Dot("b", 1));
    assertThat(filled.cloud()).isEmpty();
    assertThat(filled.compactVector()).isEqualTo(VersionVector.of(Map.of("a", 3L, "b", 2L)));
  }

  // ---- large clouds (the persistent tree)

  /**
   * A long random run of adds and merges over counters up to 400 (clouds of hundreds of dots, so
   * the tree rebalances and merges take both the one-by-one and the ordered-walk path) against a
   * {@code Set<Dot>} model: after every step the context holds exactly the model's dots, is
   * canonical, equals the context built at once from the model (same hash), its cloud view's {@code
   * get} agrees with its iteration, and {@code max} is the model's largest counter. The seed
   * reproduces a failure.
   */
  @Property(tries = 200)
  void longRunsOfAddsAndMergesKeepTheModel(@ForAll long seed) {
    Random random = new Random(seed);
    Set<Dot> model = new HashSet<>();
    CausalContext context = CausalContext.empty();
    for (int step = 0; step < 300; step++) {
      if (random.nextInt(4) == 0) {
        Set<Dot> other = new HashSet<>();
        Map<String, Long> vector = new java.util.HashMap<>();
        if (random.nextBoolean()) {
          for (String replica : REPLICAS) {
            long counter =
                random.nextBoolean()
                    ? random.nextInt((int) prefix(model, replica) + 1)
                    : random.nextInt(200);
            vector.put(replica, counter);
            for (long c = 1; c <= counter; c++) {
              other.add(new Dot(replica, c));
            }
          }
        }
        int dots = random.nextBoolean() ? random.nextInt(9) : random.nextInt(200);
        for (int i = 0; i < dots; i++) {
          other.add(
              new Dot(REPLICAS.get(random.nextInt(REPLICAS.size())), 1 + random.nextInt(400)));
        }
        Set<Dot> beyond = new HashSet<>(other);
        beyond.removeIf(dot -> dot.counter() <= vector.getOrDefault(dot.replica(), 0L));
        CausalContext merged = context.merge(CausalContext.of(VersionVector.of(vector), beyond));
        model.addAll(other);
        context = merged;
      } else {
        Dot dot = new Dot(REPLICAS.get(random.nextInt(REPLICAS.size())), 1 + random.nextInt(400));
        context = context.add(dot);
        model.add(dot);
      }
      CausalContext whole = CausalContext.ofDots(model);
      assertThat(context).as("seed %d step %d", seed, step).isEqualTo(whole);
      assertThat(context.hashCode()).isEqualTo(whole.hashCode());
      assertCanonical(context);
      List<Dot> cloud = context.cloud();
      int index = 0;
      for (Dot dot : cloud) {
        assertThat(cloud.get(index++)).isEqualTo(dot);
      }
      assertThat(index).isEqualTo(cloud.size());
      for (String replica : REPLICAS) {
        assertThat(context.max(replica)).isEqualTo(max(model, replica));
      }
    }
    for (int counter = 1; counter <= 401; counter++) {
      for (String replica : REPLICAS) {
        Dot dot = new Dot(replica, counter);
        assertThat(context.contains(dot))
            .as("seed %d %s", seed, dot)
            .isEqualTo(model.contains(dot));
      }
    }
  }

  @Property
  void ofSortedEqualsOf(
      @ForAll("vectors") Map<String, Long> vector, @ForAll("dotSets") Set<Dot> dots) {
    List<Dot> ascending = new ArrayList<>(new java.util.TreeSet<>(dots));
    assertThat(CausalContext.ofSorted(VersionVector.of(vector), ascending))
        .isEqualTo(CausalContext.of(VersionVector.of(vector), dots));
  }

  @Example
  void ofSortedRefusesDotsOutOfOrder() {
    List<Dot> unsorted = List.of(new Dot("b", 3), new Dot("a", 5));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CausalContext.ofSorted(VersionVector.empty(), unsorted))
        .isInstanceOf(IllegalArgumentException.class);
    List<Dot> repeated = List.of(new Dot("a", 5), new Dot("a", 5));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CausalContext.ofSorted(VersionVector.empty(), repeated))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static CausalContext addAllInRandomOrder(Set<Dot> dots, long shuffleSeed) {
    List<Dot> shuffled = new ArrayList<>(dots);
    Collections.shuffle(shuffled, new Random(shuffleSeed));
    CausalContext context = CausalContext.empty();
    for (Dot dot : shuffled) {
      context = context.add(dot);
    }
    return context;
  }
}
