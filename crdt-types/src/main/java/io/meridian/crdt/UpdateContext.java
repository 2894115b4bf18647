package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import java.util.Objects;

/**
 * Where and when an update is made, for {@link CrdtType#prepare}: the dot of the log entry that
 * will carry it, the entry's HLC timestamp, the client's operation id (or null), the causal context
 * the client observed in an earlier read (or null: the current state is what was observed) and the
 * client's sequence (or null). An update carries an operation id or a client sequence, not both:
 * each is a whole answer to "was this applied before", and two would need two answers to agree.
 *
 * @param dot the log entry's {@code (origin region, seq)}
 * @param hlcTimestamp the entry's packed HLC timestamp
 * @param operationId the client-chosen operation id, or null
 * @param observed the context of an earlier read, see {@link CrdtRegistry#decodeContext}, or null
 * @param clientSequence the client's id and sequence number, or null
 */
public record UpdateContext(
    Dot dot,
    long hlcTimestamp,
    String operationId,
    CausalContext observed,
    ClientSequence clientSequence) {
  /**
   * @throws CrdtRequestException ({@code bad_request}) for both an operation id and a client
   *     sequence
   */
  public UpdateContext {
    Objects.requireNonNull(dot, "dot");
    if (operationId != null && clientSequence != null) {
      throw JsonMapping.badRequest("an update carries an id or a client and seq, not both");
    }
  }

  /** An update without client sequence. */
  public UpdateContext(Dot dot, long hlcTimestamp, String operationId, CausalContext observed) {
    this(dot, hlcTimestamp, operationId, observed, null);
  }

  /** An update with neither operation id nor observed context. */
  public static UpdateContext of(Dot dot, long hlcTimestamp) {
    return new UpdateContext(dot, hlcTimestamp, null, null, null);
  }

  UpdateContext withOperationId(String id) {
    return new UpdateContext(dot, hlcTimestamp, id, observed, clientSequence);
  }

  UpdateContext withObserved(CausalContext context) {
    return new UpdateContext(dot, hlcTimestamp, operationId, context, clientSequence);
  }

  UpdateContext withClientSequence(ClientSequence sequence) {
    return new UpdateContext(dot, hlcTimestamp, operationId, observed, sequence);
  }

  /**
   * What the state keeps among its operation ids for this update, so that a concurrent duplicate is
   * neutralised: the operation id, or the client sequence's form, or null.
   */
  String recordedOperationId() {
    if (operationId != null) {
      return operationId;
    }
    return clientSequence == null ? null : clientSequence.operationId();
  }
}
