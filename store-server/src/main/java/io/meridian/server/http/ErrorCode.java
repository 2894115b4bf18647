package io.meridian.server.http;

/**
 * The error codes of the API, each with its HTTP status (API "Endpoints"): the one table from a
 * refusal to its answer, for the HTTP layer and the region alike.
 */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNAUTHORIZED("unauthorized", 401),
  FORBIDDEN("forbidden", 403),
  NOT_FOUND("not_found", 404),
  TYPE_MISMATCH("type_mismatch", 409),
  /** An or-map field remove whose context is older than the region's context expiry allows. */
  CONTEXT_EXPIRED("context_expired", 409),
  TOO_LARGE("too_large", 413),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
  SESSION_UNAVAILABLE("session_unavailable", 503),
  OVERLOADED("overloaded", 503),
  /**
   * Not a client's error: a bug or a failed disk. The only code that yields a 5xx other than 503.
   */
  INTERNAL("internal", 500);

  private final String wireName;
  private final int status;

  ErrorCode(String wireName, int status) {
    this.wireName = wireName;
    this.status = status;
  }

  /** The {@code code} field of the error body. */
  public String wireName() {
    return wireName;
  }

  public int status() {
    return status;
  }

  /**
   * The code of the CRDT module's {@code code}: that module spells the API's codes, so the two meet
   * by name and no second table is kept.
   */
  public static ErrorCode of(io.meridian.crdt.ErrorCode code) {
    for (ErrorCode candidate : values()) {
      if (candidate.wireName.equals(code.apiCode())) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("no API error code " + code.apiCode());
  }
}
