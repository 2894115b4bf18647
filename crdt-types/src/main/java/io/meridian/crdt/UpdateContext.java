package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import java.util.Objects;

/**
 * Where and when an update is made, for {@link CrdtType#prepare}: the dot of the log entry that
 * will carry it, the entry's HLC timestamp, the client's operation id (or null) and the causal
 * context the client observed in an earlier read (or null: the current state is what was observed).
 *
 * @param dot the log entry's {@code (origin region, seq)}
 * @param hlcTimestamp the entry's packed HLC timestamp
 * @param operationId the client-chosen operation id, or null
 * @param observed the context of an earlier read, see {@link CrdtRegistry#decodeContext}, or null
 */
public record UpdateContext(
    Dot dot, long hlcTimestamp, String operationId, CausalContext observed) {
  public UpdateContext {
    Objects.requireNonNull(dot, "dot");
  }

  /** An update with neither operation id nor observed context. */
  public static UpdateContext of(Dot dot, long hlcTimestamp) {
    return new UpdateContext(dot, hlcTimestamp, null, null);
  }

  public UpdateContext withOperationId(String id) {
    return new UpdateContext(dot, hlcTimestamp, id, observed);
  }

  public UpdateContext withObserved(CausalContext context) {
    return new UpdateContext(dot, hlcTimestamp, operationId, context);
  }
}
