package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import java.util.TreeMap;

/** Builds one delta of a {@link DotStore}, handing out fresh tags of one log entry in order. */
final class DeltaBuilder<V> {
  private final Dot entryDot;
  private int nextOrdinal;
  private final TreeMap<Dot, V> entries = new TreeMap<>();
  private final TreeMap<Dot, String> operationIds = new TreeMap<>();
  private CausalContext context = CausalContext.empty();

  DeltaBuilder(CausalContext stateContext, Dot entryDot) {
    this.entryDot = entryDot;
    this.nextOrdinal = Tags.nextOrdinal(stateContext, entryDot);
  }

  Dot newTag() {
    if (nextOrdinal >= Tags.ORDINALS_PER_DOT_MAX) {
      throw new CrdtRequestException(
          ErrorCode.BAD_REQUEST, "too many items created in one key by one batch");
    }
    Dot tag = Tags.of(entryDot, nextOrdinal++);
    context = context.add(tag);
    return tag;
  }

  void put(V value) {
    entries.put(newTag(), value);
  }

  /** Marks {@code tag} as seen by the delta, so the join drops it where the delta lacks it. */
  void supersede(Dot tag) {
    context = context.add(tag);
  }

  void operationId(String operationId) {
    if (operationId != null) {
      operationIds.put(newTag(), operationId);
    }
  }

  DotStore<V> build() {
    return new DotStore<>(entries, operationIds, context);
  }
}
