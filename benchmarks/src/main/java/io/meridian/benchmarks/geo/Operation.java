package io.meridian.benchmarks.geo;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One client request of a run's history: what was invoked (by which session, at which region, on
 * which keys, with which operation id and argument, the session token sent) and how it completed
 * (outcome, the value answered, the token received, times). Immutable once recorded.
 *
 * @param index position in the history (invocation order over all sessions)
 * @param session the session's number; sessions are sequential, so its operations are ordered
 * @param kind what the request does
 * @param region the region it was sent to
 * @param keys the keys it names (one, or two for a snapshot read of a pair)
 * @param operationId the update's {@code id}, or null for a read
 * @param argument increment amount, element, or assigned value (0 or null for a read)
 * @param intendedMillis when the open loop meant to send it, from the run's start
 * @param startMillis when it was sent, from the run's start
 * @param endMillis when it completed (answered or given up), from the run's start
 * @param outcome how it completed
 * @param status the HTTP status, or 0 without an answer
 * @param values the values answered, one per key (null where not found or not answered)
 * @param tokenSent the session token sent, or null
 * @param tokenReceived the session token answered, or null
 */
public record Operation(
    int index,
    int session,
    Kind kind,
    String region,
    List<String> keys,
    String operationId,
    Object argument,
    long intendedMillis,
    long startMillis,
    long endMillis,
    Outcome outcome,
    int status,
    List<Object> values,
    String tokenSent,
    String tokenReceived) {

  /** What a request does. */
  public enum Kind {
    /** g-counter increment by {@code argument}. */
    INCREMENT,
    /** g-set add of the element {@code argument}. */
    ADD,
    /** g-set add of {@code argument} to the first key of a causal pair. */
    PAIR_FIRST,
    /** g-set add of the same element to the second key, after the first was acknowledged. */
    PAIR_SECOND,
    /** lww-register assign of an increasing number to the session's own register. */
    ASSIGN,
    /** GET of one key. */
    READ,
    /** {@code POST /v1/read} of both keys of a causal pair: one snapshot. */
    SNAPSHOT_READ;

    /**
     * @return whether the request changes state
     */
    public boolean isUpdate() {
      return this != READ && this != SNAPSHOT_READ;
    }
  }

  /** How a request completed. */
  public enum Outcome {
    /** 200: applied (an update) or answered (a read). */
    OK,
    /** An error answer: nothing was applied. */
    FAILED,
    /** No answer (timeout, reset, region down): an update may or may not have been applied. */
    UNKNOWN
  }

  /**
   * @return the latency from the intended start (no coordinated omission)
   */
  public long latencyMillis() {
    return endMillis - intendedMillis;
  }

  /**
   * @return the operation as JSON for the raw results
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("index", index)
        .put("session", session)
        .put("kind", kind.name())
        .put("region", region)
        .put("keys", keys)
        .put("id", operationId)
        .put("argument", argument)
        .put("intendedMillis", intendedMillis)
        .put("startMillis", startMillis)
        .put("endMillis", endMillis)
        .put("outcome", outcome.name())
        .put("status", status)
        .put("values", values)
        .put("tokenSent", tokenSent)
        .put("tokenReceived", tokenReceived);
  }
}
