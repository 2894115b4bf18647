package io.meridian.clocks;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators shared by the property suites. Most draw replica names from a small pool and counters
 * from a short range, so that collisions, contiguous runs, gaps and dominance happen often; the
 * {@code wide} variants cover the whole legal range for the codec suites.
 */
final class ClocksArbitraries {
  /** The pool the narrow generators draw replicas from; models iterate over it. */
  static final List<String> REPLICAS = List.of("a", "b", "eu-west.1", "us_east-2");

  /** Largest counter the narrow generators produce; models check membership up to above it. */
  static final int COUNTER_MAX = 12;

  private ClocksArbitraries() {}

  static Arbitrary<String> replicas() {
    return Arbitraries.of(REPLICAS);
  }

  /** Any valid replica name: 1 to 64 of {@code [a-z0-9._-]}, starting alphanumeric. */
  static Arbitrary<String> wideReplicas() {
    Arbitrary<Character> first =
        Arbitraries.of("abcdefghijklmnopqrstuvwxyz0123456789".toCharArray());
    Arbitrary<String> rest =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('0', '9')
            .withChars('.', '_', '-')
            .ofMaxLength(ReplicaIds.NAME_LENGTH_MAX - 1);
    return Combinators.combine(first, rest).as((head, tail) -> head + tail);
  }

  static Arbitrary<Long> counters() {
    return Arbitraries.longs().between(0, COUNTER_MAX);
  }

  static Arbitrary<Long> wideCounters() {
    return Arbitraries.longs().between(1, Long.MAX_VALUE);
  }

  /** Maps from pool replicas to counters in 0..COUNTER_MAX (0 means absent). */
  static Arbitrary<Map<String, Long>> counterMaps() {
    return Arbitraries.maps(replicas(), counters()).ofMaxSize(REPLICAS.size());
  }

  static Arbitrary<VersionVector> versionVectors() {
    return counterMaps().map(VersionVector::of);
  }

  static Arbitrary<VersionVector> wideVersionVectors() {
    return Arbitraries.maps(wideReplicas(), wideCounters()).ofMaxSize(8).map(VersionVector::of);
  }

  static Arbitrary<Dot> dots() {
    return Combinators.combine(replicas(), Arbitraries.longs().between(1, COUNTER_MAX))
        .as(Dot::new);
  }

  static Arbitrary<Dot> wideDots() {
    return Combinators.combine(wideReplicas(), wideCounters()).as(Dot::new);
  }

  static Arbitrary<Set<Dot>> dotSets() {
    return dots().set().ofMaxSize(3 * COUNTER_MAX);
  }

  /** Contexts built from a random vector plus random dots, so both parts are exercised. */
  static Arbitrary<CausalContext> causalContexts() {
    Arbitrary<Map<String, Long>> smallVectors =
        Arbitraries.maps(replicas(), Arbitraries.longs().between(0, COUNTER_MAX / 2))
            .ofMaxSize(REPLICAS.size());
    return Combinators.combine(smallVectors, dotSets())
        .as((vector, dots) -> CausalContext.of(VersionVector.of(vector), dots));
  }

  static Arbitrary<CausalContext> wideCausalContexts() {
    return Combinators.combine(wideVersionVectors(), wideDots().set().ofMaxSize(8))
        .as(CausalContext::of);
  }

  /** Every dot a model has to consider: pool replicas, counters 1 to a little past the maximum. */
  static Set<Dot> universe() {
    Set<Dot> all = new HashSet<>();
    for (String replica : REPLICAS) {
      for (long counter = 1; counter <= COUNTER_MAX + 2; counter++) {
        all.add(new Dot(replica, counter));
      }
    }
    return all;
  }

  /** The plain-set model of a context: every dot at or below {@code vector}, plus {@code dots}. */
  static Set<Dot> model(Map<String, Long> vector, Set<Dot> dots) {
    Set<Dot> all = new HashSet<>(dots);
    vector.forEach(
        (replica, counter) -> {
          for (long i = 1; i <= counter; i++) {
            all.add(new Dot(replica, i));
          }
        });
    return all;
  }

  /** {@code map} with each counter lowered by the matching entry of {@code decrements}, floor 0. */
  static Map<String, Long> lowered(Map<String, Long> map, Map<String, Long> decrements) {
    Map<String, Long> result = new HashMap<>(map);
    decrements.forEach(
        (replica, by) -> result.computeIfPresent(replica, (r, c) -> Math.max(0, c - by)));
    return result;
  }
}
