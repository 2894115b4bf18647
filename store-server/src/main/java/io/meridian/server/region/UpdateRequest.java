package io.meridian.server.region;

import io.meridian.clocks.CausalContext;
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
 */
public record UpdateRequest(
    ObjectName name, Operation operation, String operationId, CausalContext observed) {
  public UpdateRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operation, "operation");
  }
}
