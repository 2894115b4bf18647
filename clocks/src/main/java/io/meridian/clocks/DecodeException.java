package io.meridian.clocks;

/**
 * The one error a Meridian decoder raises for bytes it cannot accept: malformed protobuf, an
 * unknown format version, or a value that breaks an invariant of its type. Decoders never let
 * another exception escape for bad input, so callers can reject a frame, record or token without
 * touching state.
 */
public final class DecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
