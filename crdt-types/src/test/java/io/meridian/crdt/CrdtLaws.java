package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The laws every type passes, checked on states and effects from seeded three-replica runs: join is
 * commutative, associative and idempotent; effects are inflations and a delta's apply is its join;
 * codecs round-trip with equal bytes for equal states and reject random bytes with the typed error;
 * any two causal delivery orders converge and duplicate deltas change nothing; folding with a
 * settled stable vector keeps the value and shrinks the state; and the value matches the type's
 * declarative specification over the causal history. A type supplies its request generator and its
 * specification.
 */
abstract class CrdtLaws {
  static final int STEPS = 30;

  abstract String typeName();

  abstract Simulation.RequestGenerator requests();

  /** The value the type must show after exactly the entries of {@code history}. */
  abstract JsonNode specifiedValue(List<Simulation.Entry> history);

  /** The part of a value the specification fixes (all of it, unless a type says otherwise). */
  JsonNode comparable(JsonNode value) {
    return value;
  }

  /** Steps of one seeded run; a type whose failures need longer histories asks for more. */
  int steps() {
    return STEPS;
  }

  /**
   * The context expiry T in HLC units this suite runs with, or 0 for the default (ten minutes, far
   * beyond the simulations' clocks: nothing ages). With a T of its own the suite's simulations run
   * on causal clocks, so entries age, field counters sum and removes with old contexts are refused.
   */
  long contextExpiryHlc() {
    return 0;
  }

  private long expiryBefore;

  @BeforeProperty
  void configureContextExpiry() {
    expiryBefore = CrdtRegistry.contextExpiryHlc();
    if (contextExpiryHlc() > 0) {
      CrdtRegistry.configureContextExpiryHlc(contextExpiryHlc());
    }
  }

  @AfterProperty
  void restoreContextExpiry() {
    CrdtRegistry.configureContextExpiryHlc(expiryBefore);
  }

  CrdtType type() {
    return CrdtRegistry.type(typeName());
  }

  Simulation run(long seed, boolean folds) {
    return simulation(seed).run(requests(), steps(), folds);
  }

  /**
   * A simulation of {@code seed}; odd seeds send the requests that carry an op id as client
   * sequences, so every law also holds for states with client ids and marks.
   */
  Simulation simulation(long seed) {
    Simulation simulation = new Simulation(type(), seed);
    simulation.clientSequences = (seed & 1) != 0;
    simulation.causalClocks = contextExpiryHlc() > 0;
    return simulation;
  }

  @Property
  void joinIsCommutativeAssociativeIdempotent(@ForAll long seed) {
    Simulation simulation = run(seed, false);
    CrdtType type = type();
    CrdtState a = simulation.states[0];
    CrdtState b = simulation.states[1];
    CrdtState c = simulation.states[2];
    String why = simulation.reproduction();
    assertThat(type.join(a, b)).as(why).isEqualTo(type.join(b, a));
    assertThat(type.join(type.join(a, b), c)).as(why).isEqualTo(type.join(a, type.join(b, c)));
    assertThat(type.join(a, a)).as(why).isEqualTo(a);
    assertThat(type.join(a, type.empty())).as(why).isEqualTo(a);
  }

  @Property
  void effectsAreInflationsAndDeltasApplyAsJoins(@ForAll long seed) {
    Simulation simulation = simulation(seed);
    simulation.stepCheck =
        step -> {
          String why = simulation.reproduction();
          assertThat(step.type().join(step.before(), step.after())).as(why).isEqualTo(step.after());
          if (step.effect() instanceof DeltaEffect delta) {
            assertThat(step.type().join(step.before(), delta.delta()))
                .as(why)
                .isEqualTo(step.after());
          }
        };
    simulation.run(requests(), steps(), true);
  }

  @Property
  void codecsRoundTripWithEqualBytesForEqualStates(@ForAll long seed) {
    Simulation simulation = run(seed, true);
    CrdtType type = type();
    String why = simulation.reproduction();
    for (CrdtState state : simulation.states) {
      byte[] bytes = CrdtRegistry.encodeState(state);
      assertThat(CrdtRegistry.decodeState(bytes)).as(why).isEqualTo(state);
    }
    for (Simulation.Entry entry : simulation.log) {
      byte[] bytes = CrdtRegistry.encodeEffect(entry.effect());
      assertThat(CrdtRegistry.decodeEffect(bytes)).as(why).isEqualTo(entry.effect());
    }
    CrdtState ab = type.join(simulation.states[0], simulation.states[1]);
    CrdtState ba = type.join(simulation.states[1], simulation.states[0]);
    assertThat(CrdtRegistry.encodeState(ab)).as(why).isEqualTo(CrdtRegistry.encodeState(ba));
  }

  @Property
  void damagedBytesGiveOnlyTheTypedDecodeError(@ForAll long seed) {
    Simulation simulation = run(seed, false);
    Random random = new Random(seed);
    byte[] bytes = CrdtRegistry.encodeState(simulation.states[random.nextInt(3)]);
    byte[] damaged = damage(bytes, random);
    try {
      CrdtRegistry.decodeState(damaged);
    } catch (DecodeException expected) {
      // the only acceptable failure
    }
    if (!simulation.log.isEmpty()) {
      byte[] effect = damage(CrdtRegistry.encodeEffect(simulation.log.get(0).effect()), random);
      try {
        CrdtRegistry.decodeEffect(effect);
      } catch (DecodeException expected) {
        // the only acceptable failure
      }
    }
    byte[] noise = new byte[random.nextInt(40)];
    random.nextBytes(noise);
    try {
      CrdtRegistry.decodeState(noise);
    } catch (DecodeException expected) {
      // the only acceptable failure
    }
  }

  private static byte[] damage(byte[] bytes, Random random) {
    byte[] damaged = bytes.clone();
    if (damaged.length == 0) {
      return new byte[] {(byte) random.nextInt()};
    }
    switch (random.nextInt(3)) {
      case 0 -> damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
      case 1 -> damaged = java.util.Arrays.copyOf(damaged, random.nextInt(damaged.length));
      default -> damaged[random.nextInt(damaged.length)] = (byte) random.nextInt();
    }
    return damaged;
  }

  @Property
  void anyTwoCausalDeliveryOrdersConverge(@ForAll long seed) {
    Simulation simulation = run(seed, false);
    simulation.deliverAll();
    String why = simulation.reproduction();
    assertThat(simulation.states[1]).as(why).isEqualTo(simulation.states[0]);
    assertThat(simulation.states[2]).as(why).isEqualTo(simulation.states[0]);
    CrdtState replayed = simulation.replayInRandomOrder(new Random(~seed), true);
    assertThat(replayed).as(why).isEqualTo(simulation.states[0]);
  }

  @Property
  void foldingWithAStableVectorKeepsTheValueAndShrinksTheState(@ForAll long seed) {
    Simulation simulation = run(seed, true);
    simulation.deliverAll();
    VersionVector everything = simulation.fullVector();
    CrdtType type = type();
    String why = simulation.reproduction();
    CrdtState unfolded = simulation.states[0];
    for (int replica = 0; replica < 3; replica++) {
      simulation.fold(replica, everything);
    }
    assertThat(simulation.states[1]).as(why).isEqualTo(simulation.states[0]);
    assertThat(simulation.states[2]).as(why).isEqualTo(simulation.states[0]);
    assertThat(type.value(simulation.states[0])).as(why).isEqualTo(type.value(unfolded));
    assertThat(type.observedContext(simulation.states[0]).cloud()).as(why).isEmpty();
    // Folding empties the cloud (asserted above) and merges entries; the one thing it may add is a
    // counter's one-byte consolidated flag, on an origin whose stable part was a single increment
    // (g-counter seed -29865: one increment, 32 B unfolded, 33 B folded). So at most one byte per
    // origin more, and never more than that.
    assertThat(CrdtRegistry.encodeState(simulation.states[0]).length)
        .as(why + ": folding shrinks the metadata")
        .isLessThanOrEqualTo(
            CrdtRegistry.encodeState(unfolded).length + Simulation.REPLICAS.size());
    checkFullyFolded(simulation.states[0], why);
    assertThat(type.join(simulation.states[0], unfolded)).as(why).isEqualTo(simulation.states[0]);
  }

  /**
   * A region that folds at every settled point and one that never folds, applying the same entries
   * in the same order, show the same value and end equal once both fold everything: folding early
   * must not change where a later entry lands or what it takes.
   */
  @Property
  void foldingEarlyChangesNothingLaterEntriesDo(@ForAll long seed) {
    Simulation simulation = simulation(seed);
    simulation.foldEagerly = true;
    CrdtType type = type();
    int last = Simulation.REPLICAS.size() - 1;
    simulation.run(requests(), steps(), true);
    simulation.deliverAll();
    assertThat(type.value(simulation.states[last]))
        .as(simulation.reproduction() + ", folding eagerly")
        .isEqualTo(type.value(simulation.unfoldedShadow));
    VersionVector everything = simulation.fullVector();
    assertThat(type.fold(simulation.states[last], everything))
        .as(simulation.reproduction() + ", folding eagerly")
        .isEqualTo(type.fold(simulation.unfoldedShadow, everything));
  }

  /**
   * A type's own check of what its state may still hold once everything is delivered and folded
   * with the vector of all of it (the list's needed tombstones, the map's live fields); the laws
   * above already require an empty context cloud of every type.
   */
  void checkFullyFolded(CrdtState folded, String why) {}

  @Property
  void valueMatchesTheSpecificationOfItsCausalHistory(@ForAll long seed) {
    Simulation simulation = run(seed, false);
    CrdtType type = type();
    for (int replica = 0; replica < 3; replica++) {
      assertThat(comparable(type.value(simulation.states[replica])))
          .as(simulation.reproduction() + " at replica " + replica)
          .isEqualTo(specifiedValue(simulation.history(replica)));
    }
    simulation.deliverAll();
    assertThat(comparable(type.value(simulation.states[0])))
        .as(simulation.reproduction() + " after full delivery")
        .isEqualTo(specifiedValue(simulation.history(0)));
  }

  @Property
  void randomBytesAreRejectedWithTheTypedError(@ForAll byte[] bytes) {
    try {
      CrdtRegistry.decodeState(bytes);
    } catch (DecodeException expected) {
      // fine
    }
    try {
      CrdtRegistry.decodeEffect(bytes);
    } catch (DecodeException expected) {
      // fine
    }
    assertThatThrownBy(() -> CrdtRegistry.decodeState(new byte[] {8, 99}))
        .isInstanceOf(DecodeException.class);
  }
}
