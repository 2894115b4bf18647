package io.meridian.crdt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.List;

/**
 * The replica the size tests measure: each update is a log entry made at the next region in turn
 * (its HLC one unit above the last one's, or more after {@link #advanceClock}) and applied at once
 * everywhere, so every region holds this one state; every {@code foldEveryEntries} entries it folds
 * with the vector of that many entries before, as a region does while stability lags; {@link
 * #foldedFully} is the state once everything is stable.
 */
final class LaggingFoldReplica {
  private final CrdtType type;
  private final List<String> regions;
  private final int foldEveryEntries;
  private CrdtState state;
  private VersionVector applied = VersionVector.empty();
  private VersionVector stableLater = VersionVector.empty();
  private int entries;
  private long clock;

  LaggingFoldReplica(CrdtType type, List<String> regions, int foldEveryEntries) {
    this.type = type;
    this.regions = List.copyOf(regions);
    this.foldEveryEntries = foldEveryEntries;
    this.state = type.empty();
  }

  /** Makes, applies and, on every {@code foldEveryEntries}-th entry, folds one update. */
  void update(ObjectNode request) {
    entries++;
    String region = regions.get(entries % regions.size());
    Dot dot = new Dot(region, applied.get(region) + 1);
    clock++;
    Effect effect =
        type.prepare(state, CrdtRegistry.parseUpdate(request), UpdateContext.of(dot, clock))
            .orElseThrow();
    state = type.apply(state, effect, dot);
    applied = applied.with(region, dot.counter());
    if (entries % foldEveryEntries == 0) {
      state = type.fold(state, stableLater);
      stableLater = applied;
    }
  }

  /** Lets {@code units} of HLC time pass before the next entry. */
  void advanceClock(long units) {
    clock += units;
  }

  /** The state now, folded only as far as the lagging vector went. */
  CrdtState state() {
    return state;
  }

  /** The state folded with every entry stable. */
  CrdtState foldedFully() {
    return type.fold(state, applied);
  }

  /**
   * The metadata in an encoded state: its bytes minus those of the live elements ({@code
   * ElementProto} each).
   */
  static long metadataBytes(CrdtState state, List<Element> live) {
    long elements = 0;
    for (Element element : live) {
      elements += CrdtCodec.element(element).getSerializedSize();
    }
    return CrdtRegistry.encodeState(state).length - elements;
  }
}
