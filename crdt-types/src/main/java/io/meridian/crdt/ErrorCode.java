package io.meridian.crdt;

/** The API error codes this module can raise for a request. */
public enum ErrorCode {
  /** Malformed request: unknown op, wrong argument type, out of range, nesting too deep. */
  BAD_REQUEST("bad_request"),
  /** The request names a type other than the key's (or a field's) type. */
  TYPE_MISMATCH("type_mismatch"),
  /**
   * An or-map field remove whose context missed an update of a named field made more than the
   * context expiry before the remove ({@link CrdtRegistry#contextExpiryMillis}): read again, retry
   * with the new context. HTTP 409.
   */
  CONTEXT_EXPIRED("context_expired");

  private final String apiCode;

  ErrorCode(String apiCode) {
    this.apiCode = apiCode;
  }

  /** The code as the API's error JSON spells it. */
  public String apiCode() {
    return apiCode;
  }
}
