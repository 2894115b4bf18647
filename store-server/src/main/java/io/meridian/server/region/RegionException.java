package io.meridian.server.region;

/**
 * A request the region refused, with the API's error code: nothing changed. {@code index} names the
 * update of a batch that failed (or -1), {@code retryAfterSeconds} is set for the 503s.
 */
public final class RegionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The API's error codes a region raises. */
  public enum Code {
    BAD_REQUEST("bad_request", 400),
    TYPE_MISMATCH("type_mismatch", 409),
    TOO_LARGE("too_large", 413),
    SESSION_UNAVAILABLE("session_unavailable", 503),
    OVERLOADED("overloaded", 503);

    private final String apiCode;
    private final int status;

    Code(String apiCode, int status) {
      this.apiCode = apiCode;
      this.status = status;
    }

    public String apiCode() {
      return apiCode;
    }

    public int status() {
      return status;
    }
  }

  private final Code code;
  private final int index;
  private final long retryAfterSeconds;

  public RegionException(Code code, String message, int index, long retryAfterSeconds) {
    super(message, null, false, false);
    this.code = code;
    this.index = index;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public RegionException(Code code, String message) {
    this(code, message, -1, 0);
  }

  public Code code() {
    return code;
  }

  /** The failing update's position in its batch, or -1. */
  public int index() {
    return index;
  }

  /** For a 503: whole seconds the client should wait before it retries. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  RegionException withIndex(int newIndex) {
    return new RegionException(code, getMessage(), newIndex, retryAfterSeconds);
  }
}
