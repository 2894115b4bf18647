package io.meridian.server.region;

import io.meridian.clocks.CausalContext;
import io.meridian.crdt.ClientSequence;
import io.meridian.crdt.Operation;
import java.util.Objects;

/**
 * One parsed update of a key: what {@code POST /v1/buckets/{b}/keys/{k}} carries, or one element of
 * a batch. Parsed on the HTTP event loop; the region checks it against the key's state.
 *
 * @param name the object
 * @param operation the typed operation
 * @param operationId the client's operation id, or null
 * @param observed the context of an earlier read the update is relative to, or null
 * @param clientSequence the client's id and sequence number (of the update, or of its batch), or
 *     null
 */
public record UpdateRequest(
    ObjectName name,
    Operation operation,
    String operationId,
    CausalContext observed,
    ClientSequence clientSequence) {
  public UpdateRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operation, "operation");
  }

  /** An update without client sequence. */
  public UpdateRequest(
      ObjectName name, Operation operation, String operationId, CausalContext observed) {
    this(name, operation, operationId, observed, null);
  }

  /** This update as part of a batch that carries {@code sequence}. */
  UpdateRequest withClientSequence(ClientSequence sequence) {
    return new UpdateRequest(name, operation, operationId, observed, sequence);
  }
}
