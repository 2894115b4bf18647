package io.meridian.crdt;

/**
 * A client's request cannot be applied: it is malformed or names the wrong type. Raised before
 * anything changes, so the caller answers with {@link #code()} and leaves the state as it was.
 */
public final class CrdtRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public CrdtRequestException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
