package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.clocks.VersionVector;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The last-writer-wins register: of the concurrent assignments, the one with the highest HLC
 * timestamp wins, ties broken by origin region (then by tag). An assignment takes a timestamp above
 * every one it overwrites, so a causally later write wins whatever the clocks say (property S6;
 * Shapiro et al. 2011, with hybrid logical clocks after Kulkarni et al. 2014). Kept as a dot store
 * of stamped values, so the losers of a concurrent write can be folded away once stable and an
 * or-map can remove an observed value. Immutable; {@code equals} is structural.
 */
final class LwwRegister implements CrdtState {
  static final String NAME = "lww-register";

  /** A value with the HLC timestamp of its assignment. */
  record Stamped(long timestamp, String value) {}

  private static final Comparator<Map.Entry<Dot, Stamped>> ORDER =
      Comparator.<Map.Entry<Dot, Stamped>>comparingLong(entry -> entry.getValue().timestamp())
          .thenComparing(entry -> entry.getKey().replica())
          .thenComparingLong(entry -> entry.getKey().counter());

  private final DotStore<Stamped> store;

  LwwRegister(DotStore<Stamped> store) {
    this.store = Objects.requireNonNull(store);
  }

  DotStore<Stamped> store() {
    return store;
  }

  private Optional<Map.Entry<Dot, Stamped>> winner() {
    return store.entries().entrySet().stream().max(ORDER);
  }

  /** The winning value as canonical JSON text, or empty before any assignment. */
  public Optional<String> value() {
    return winner().map(entry -> entry.getValue().value());
  }

  /** The winning assignment's HLC timestamp, or {@link HlcTimestamp#ZERO}. */
  public long timestamp() {
    return winner().map(entry -> entry.getValue().timestamp()).orElse(HlcTimestamp.ZERO);
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LwwRegister register && store.equals(register.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends RegisterType<Stamped, LwwRegister> {
    Type() {
      super(NAME, 3, LwwRegister.class, LwwRegister::store, LwwRegister::new);
    }

    /**
     * Above every assignment it overwrites, except one of its own batch: that one has the entry's
     * timestamp already, and the tag breaks the tie. Climbing above it would put this assignment
     * above the timestamp of the origin's next entry, which may be prepared without this one
     * (stamped while this entry's Ready is outstanding) and must still win (S6). So an assignment's
     * timestamp is its entry's HLC whenever the states hold only such assignments.
     */
    @Override
    Stamped stored(LwwRegister state, Operation.Assign assign, UpdateContext context) {
      long highest = HlcTimestamp.ZERO;
      boolean overwrites = false;
      for (Map.Entry<Dot, Stamped> entry : state.store.entries().entrySet()) {
        if (!Tags.entryDot(entry.getKey()).equals(context.dot())) {
          highest = Math.max(highest, entry.getValue().timestamp());
          overwrites = true;
        }
      }
      long timestamp =
          overwrites
              ? Math.max(context.hlcTimestamp(), HlcTimestamp.successor(highest))
              : context.hlcTimestamp();
      return new Stamped(timestamp, assign.value());
    }

    /** Also drops the stable losers: no later assignment can make one of them win again. */
    @Override
    LwwRegister foldTyped(LwwRegister state, VersionVector stable) {
      VersionVector stableTags = Tags.stableTags(stable);
      Optional<Map.Entry<Dot, Stamped>> winner = state.winner();
      TreeMap<Dot, Stamped> entries = new TreeMap<>();
      state
          .store
          .entries()
          .forEach(
              (tag, stamped) -> {
                if (!stableTags.contains(tag) || tag.equals(winner.get().getKey())) {
                  entries.put(tag, stamped);
                }
              });
      return new LwwRegister(state.store.withEntries(entries).fold(stable));
    }

    /**
     * In an or-map field a register keeps its stable losers: a remove of the field takes only the
     * assignments its client's context names, and a context read before a loser reached the reading
     * region names the winner but not the loser. Such a remove leaves the loser as the value where
     * it was kept, so a region that had dropped it would show no value instead (the replication
     * simulator's seed 146581). An assignment still overwrites every entry its region holds, so
     * what stays is only the concurrent assignments since the last one that saw them.
     */
    @Override
    CrdtState foldNested(CrdtState nested, VersionVector stable) {
      return new LwwRegister(state(nested).store.fold(stable));
    }

    @Override
    JsonNode valueTyped(LwwRegister state) {
      return state.value().map(CanonicalJson::parse).orElse(NullNode.getInstance());
    }
  }
}
